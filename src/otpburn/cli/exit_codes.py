"""The CLI's exit codes, apart from the wording tables (`otpburn.cli.wording`): those load the data types of every
room (the burn flow, the token drivers, PC/SC, ~65 ms), which `parse`, `code` and `scan` never need."""

EXIT_OK = 0
EXIT_FAILED = 1  # an operation failed, or a QR code held no seed
EXIT_BAD_INPUT = 2  # bad input or usage
EXIT_NO_READER = 3  # no reader or token (scan: no QR code)
EXIT_MISMATCH = 4  # the token's code does not match the seed
EXIT_NOT_REGISTERED = 5  # the identity system did not take a burned token (the burn stands)
EXIT_CANCELLED = 130  # Ctrl+C
