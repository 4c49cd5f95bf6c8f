"""The bundle's `otpburn` executable: the command line, as `pip install` would give it."""

from otpburn.cli.main import main

if __name__ == "__main__":
    main()
