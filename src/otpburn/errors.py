"""One exception hierarchy for everything a user can be told about.

Each error carries a plain message that names no front-end control, and data: the
`remedy` the user can take (worded by the CLI as a flag and by the window as a control),
and whatever fields its class adds (step, state, status word, attempts left...). Exit
codes are chosen by the CLI (`otpburn.cli.main`), not here. Messages never contain
secret material: callers pass lengths, positions and kinds, never the bytes themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum


class Remedy(StrEnum):
    """Something the user can change to get past an error; each front end words it its own way.

    (The S105 notes below: these are names of remedies, not passwords.)
    """

    FORCE = "force"  # replace what is already there (a file, a credential)
    CONFIRM_WIPE = "confirm-wipe"  # agree that a clock write erases the token's seed
    TOKEN_PASSWORD = "token-password"  # noqa: S105  give the token's (OATH applet's) password
    SEED_FILE_PASSWORD = "seed-file-password"  # noqa: S105  give the password of an encrypted seed file
    SEED_FILE_KEY = "seed-file-key"  # give the pre-shared key of a key-encrypted PSKC file
    KEEPASS_KEY_FILE = "keepass-key-file"  # name the key file a KeePass database opens with (or export its XML)
    DECRYPT_SEED_FILE = "decrypt-seed-file"  # decrypt an OpenPGP-encrypted seed file on the way in
    PICK_ACCOUNT = "pick-account"  # choose one of several accounts
    CHOOSE_READER = "choose-reader"  # choose one of several readers
    LIST_READERS = "list-readers"  # see which readers there are
    VIRTUAL_READER = "virtual-reader"  # try otpburn with the built-in virtual token
    START_PCSC = "start-pcsc"  # start the PC/SC service
    OTHER_SOURCE = "other-source"  # take the seed from an image file or the clipboard instead
    SCAN_AGAIN = "scan-again"  # scan after a delay, or save the capture to see it
    SYNC_CLOCK = "sync-clock"  # set the token's clock from the PC's
    ALGORITHM = "algorithm"  # burn again with another hash algorithm
    PERIOD = "period"  # burn again with another period
    ENCODING = "encoding"  # give the secret in the encoding it was written in
    DELETE_CREDENTIAL = "delete-credential"  # make room on the token
    FREE_READER = "free-reader"  # close the program that holds the reader for itself
    REGISTRAR_SETTINGS = "registrar-settings"  # fix the identity system's section of the registrar file
    REGISTRAR_SIGN_IN = "registrar-sign-in"  # sign in to the identity system with other credentials
    REGISTRAR_CA = "registrar-ca"  # name the CA that signed the server's certificate
    REPLACE_TOKEN = "replace-token"  # noqa: S105  let the identity system's token with this serial be replaced
    RESUME_REGISTRATION = "resume-registration"  # register the burned token later, once the server answers
    TOKEN_CODE = "token-code"  # noqa: S105  read the code off the token again (a fresh one) and type it
    CUSTOMER_KEY = "customer-key"  # give the multi-profile token's customer key
    LAST_ATTEMPT = "last-attempt"  # accept that a wrong customer key now locks the token
    CHOOSE_PROFILE = "choose-profile"  # say which profile of a multi-profile token to burn
    OVERWRITE_PROFILE = "overwrite-profile"  # replace what a profile holds, or choose a free one
    PROBE_REPORT = "probe-report"  # a token otpburn does not know: make a read-only report to share
    NAME_USER = "name-user"  # say which user of the identity system the token is for
    PROGRESS_FILE = "progress-file"  # keep the batch's record of what it burned somewhere that can be written


class OtpburnError(Exception):
    """Base of every expected failure."""

    def __init__(self, message: str, *, hint: str | None = None, remedy: Remedy | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.remedy = remedy
        self.cause: OtpburnError | None = None  # the failure underneath, where one error wraps another

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"

    def worded(self, remedy_text: Callable[[Remedy], str | None]) -> str:
        """The message with the remedy in a front end's own words (`remedy_text` gives them)."""
        text = self.remedy and remedy_text(self.remedy)
        return f"{self}; {text}" if text else str(self)


class InputError(OtpburnError):
    """The user gave us something we cannot use: a malformed URI, bad base32, a broken file."""


class NothingFoundError(InputError):
    """We looked where the user said (a screen, an image) and found nothing to use there."""


class NotASeedError(OtpburnError):
    """The payload is well formed but holds no OTP seed (a push-login QR, a web link...)."""


class OperationError(OtpburnError):
    """Something we tried failed (a token refused a command, a write failed)."""


class ReaderError(OtpburnError):
    """No PC/SC service, no reader, no token, or the token went away."""


class VerificationError(OtpburnError):
    """The token's code does not match what the seed should produce."""


class RegistrationError(OperationError):
    """The identity system did not take the token (or could not be reached).

    `problem` says what kind of failure it was, `system` which identity system, `status` the
    HTTP status where there was one, and `stage` what was being done (sign-in, user, register,
    activate, remove): enough for a front end to word it and for a batch to know whether
    trying again later can help (`retryable`).
    """

    def __init__(self, message: str, *, problem: RegistrationProblem, system: str, stage: str = "",
                 status: int | None = None, hint: str | None = None, remedy: Remedy | None = None) -> None:
        super().__init__(message, hint=hint, remedy=remedy)
        self.problem, self.system, self.stage, self.status = problem, system, stage, status

    @property
    def retryable(self) -> bool:
        return self.problem in (RegistrationProblem.UNREACHABLE, RegistrationProblem.SERVER,
                                RegistrationProblem.RATE_LIMITED)


class RegistrationProblem(StrEnum):
    SETTINGS = "settings"  # the registrar file's section is incomplete or wrong
    SIGN_IN = "sign-in"  # the credentials were refused
    PERMISSION = "permission"  # signed in, but not allowed to do this
    METHOD_DISABLED = "method-disabled"  # the identity system does not take hardware OATH tokens (yet)
    USER_NOT_FOUND = "user-not-found"
    DUPLICATE = "duplicate"  # the serial is already registered
    CODE_REJECTED = "code-rejected"  # the server does not accept the token's code
    UNREACHABLE = "unreachable"  # no connection, or no answer in time
    TLS = "tls"  # the server's certificate could not be verified
    SERVER = "server"  # the server failed (5xx) or answered with something unreadable
    RATE_LIMITED = "rate-limited"  # still throttled after waiting as asked
    REFUSED = "refused"  # any other refusal, with the server's reason
