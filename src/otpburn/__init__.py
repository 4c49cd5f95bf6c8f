"""otpburn: find a TOTP seed anywhere, burn it into a hardware OTP token, verify it."""

__version__ = "0.1.0"
