from otpburn.cli.main import main

main()
