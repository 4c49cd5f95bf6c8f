"""OTP core: parameters, secret codecs, HOTP/TOTP and RFC 2104 secret fitting."""

from otpburn.otp.codec import (
    DecodedSecret,
    SecretEncoding,
    decode_base32,
    decode_hex,
    decode_secret,
    detect_encoding,
    encode_base32,
    encode_hex,
    mask_secret,
)
from otpburn.otp.fitting import FitAction, FittedSecret, SecretDoesNotFitError, fit_secret
from otpburn.otp.hotp import CodeWindow, code_at, code_window, hotp, matching_steps, time_step, totp, truncate
from otpburn.otp.params import Algorithm, OtpParams, OtpType

__all__ = [
    "Algorithm",
    "CodeWindow",
    "DecodedSecret",
    "FitAction",
    "FittedSecret",
    "OtpParams",
    "OtpType",
    "SecretDoesNotFitError",
    "SecretEncoding",
    "code_at",
    "code_window",
    "decode_base32",
    "decode_hex",
    "decode_secret",
    "detect_encoding",
    "encode_base32",
    "encode_hex",
    "fit_secret",
    "hotp",
    "mask_secret",
    "matching_steps",
    "time_step",
    "totp",
    "truncate",
]
