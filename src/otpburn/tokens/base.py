"""What every token driver declares: its family, what it can hold, what it knows of itself,
and the `TokenSession` protocol every family's session follows."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, Protocol

from otpburn.errors import OperationError
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.otp.refusals import Refusal, RefusalKind
from otpburn.transport.channel import Channel

# The display timeouts of Token2's programmable tokens (single-profile and Molto2 alike), in seconds, with the
# byte each is written as; the one a burn uses unless told otherwise.
DISPLAY_TIMEOUT_CODES = {15: 0x00, 30: 0x01, 60: 0x02, 120: 0x03}
DISPLAY_TIMEOUTS = tuple(DISPLAY_TIMEOUT_CODES)
DEFAULT_DISPLAY_TIMEOUT = 30


class Family(StrEnum):
    """A token family: one driver, one emulator and one family burn each."""

    TOKEN2 = "token2"  # Token2-style single-profile programmable tokens
    YKOATH = "ykoath"  # OATH applets (YubiKey and compatible)
    MOLTO2 = "molto2"  # Token2 Molto2: many TOTP profiles on one USB token


@dataclass(frozen=True)
class Capabilities:
    """What a token model can hold and do; preflight compares OtpParams against it."""

    family: Family
    model: str
    types: frozenset[OtpType]
    algorithms: frozenset[Algorithm]
    digits: frozenset[int]
    periods: frozenset[int] | None  # None: any period
    secret_min: int
    secret_max: int | None  # None: up to the hash block size (longer keys are hashed first)
    clock_readable: bool
    clock_settable: bool
    time_write_wipes_seed: bool
    computes_codes: bool  # the host can ask the token for a code (automatic verification)
    credential_slots: int
    writable: bool = True  # False for models we recognise but must not write to
    printed_serial: bool = True  # False: the "serial" is an id derived from the device (OATH applets)
    manufacturer: str = ""
    display_timeouts: frozenset[int] = frozenset()  # seconds the display may stay on; empty: not settable

    def refusals(self, params: OtpParams) -> list[Refusal]:
        """Why `params` cannot go onto this token as they are (empty when they fit).

        Secret length is not checked here: RFC 2104 fitting may make it fit.
        """
        problems = []
        if params.type not in self.types:
            problems.append(Refusal(RefusalKind.TYPE, self.model, params.type, tuple(sorted(self.types))))
        if params.algorithm not in self.algorithms:
            problems.append(Refusal(RefusalKind.ALGORITHM, self.model, params.algorithm,
                                    tuple(sorted(self.algorithms))))
        if params.digits not in self.digits:
            problems.append(Refusal(RefusalKind.DIGITS, self.model, params.digits, tuple(sorted(self.digits))))
        if params.type is OtpType.TOTP and self.periods is not None and params.period not in self.periods:
            problems.append(Refusal(RefusalKind.PERIOD, self.model, params.period, tuple(sorted(self.periods))))
        return problems

    def as_dict(self) -> dict[str, object]:
        return {
            "family": self.family,
            "model": self.model,
            "types": sorted(t.value for t in self.types),
            "algorithms": sorted(a.value for a in self.algorithms),
            "digits": sorted(self.digits),
            "periods": None if self.periods is None else sorted(self.periods),
            "secret_bytes": [self.secret_min, self.secret_max],
            "clock_readable": self.clock_readable,
            "clock_settable": self.clock_settable,
            "time_write_wipes_seed": self.time_write_wipes_seed,
            "computes_codes": self.computes_codes,
            "credential_slots": self.credential_slots,
            "writable": self.writable,
        }


@dataclass(frozen=True)
class TokenInfo:
    """What a token told us about itself when identified."""

    family: Family
    model: str
    serial: str
    capabilities: Capabilities
    clock: int | None = None  # token time, Unix seconds
    host_time: float | None = None  # host UTC time when the clock was read
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def clock_offset(self) -> float | None:
        """Token clock minus host clock, in seconds (positive: the token runs ahead)."""
        if self.clock is None or self.host_time is None:
            return None
        return self.clock - self.host_time


@dataclass(frozen=True)
class ClockReading:
    """The token's clock against the host's monotonic clock, to a fraction of a second.

    Tokens report whole seconds; a reading taken where the token's second ticks over knows
    the fraction too. Host wall-clock steps do not move it: it is tied to `time.monotonic()`.
    """

    token_time: float  # the token's time (Unix seconds) at `monotonic`
    monotonic: float  # time.monotonic() at that moment
    lag: float  # seconds a command takes to reach the token (half a measured round trip)
    ticked: bool = True  # False: the token's seconds never changed while read (its clock may be stopped)

    def at(self, monotonic: float) -> float:
        """The token's time at another monotonic moment."""
        return self.token_time + (monotonic - self.monotonic)


@dataclass(frozen=True)
class ClockSample:
    """One clock read: the token's whole second and the monotonic moments around the exchange."""

    clock: int
    sent: float
    answered: float

    @property
    def middle(self) -> float:
        return (self.sent + self.answered) / 2

    @property
    def round_trip(self) -> float:
        return self.answered - self.sent


# Clock reads: 20 ms apart (a few NFC round trips), at most 100 of them (over 2 s).
CLOCK_POLL_PAUSE = 0.02
CLOCK_POLL_READS = 100


def watch_clock_tick(sample: Callable[[], ClockSample], pause: float = CLOCK_POLL_PAUSE,
                     max_reads: int = CLOCK_POLL_READS) -> ClockReading:
    """Read a clock until its second ticks over: its time to a fraction of a second.

    Reads are `pause` seconds apart at least, so `max_reads` of them span more than a second
    however fast the link is: a running clock always ticks within the budget (counted in reads).
    """
    previous = sample()
    round_trips = [previous.round_trip]
    for _ in range(max_reads):
        time.sleep(pause)
        current = sample()
        round_trips.append(current.round_trip)
        if current.clock == previous.clock + 1:
            # The second began between the two samples: take the middle (error: half the gap).
            edge = (previous.middle + current.middle) / 2
            return ClockReading(float(current.clock), edge, _median(round_trips) / 2)
        previous = current
    # The clock did not move (or jumped): the best guess is the middle of its last second.
    return ClockReading(previous.clock + 0.5, previous.middle, _median(round_trips) / 2, ticked=False)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


class DifferentTokenAnsweredError(OperationError):
    """Another token answered on the same presentation (swapped on the reader)."""

    def __init__(self, serial: str, expected: str) -> None:
        self.serial, self.expected = serial, expected
        super().__init__(f"a different token answered (serial {serial}, expected {expected})")


class NotIdentifiedError(OperationError):
    """A session was used before the token identified itself (a programming error)."""

    def __init__(self) -> None:
        super().__init__("the token has not been identified yet")


class IdentifiedSession:
    """What every driver session shares: what the token said when it identified itself."""

    _info: TokenInfo | None = None

    @property
    def info(self) -> TokenInfo:
        if self._info is None:
            raise NotIdentifiedError()
        return self._info

    @property
    def capabilities(self) -> Capabilities:
        return self.info.capabilities


class TokenSession(Protocol):
    """One presentation of a token on a reader, as every family's driver offers it.

    Front ends and provisioning tell families apart by `family` (or the session's type),
    never by comparing strings.
    """

    family: ClassVar[Family]
    channel: Channel

    @property
    def info(self) -> TokenInfo:
        """What the token said when identified; NotIdentifiedError before `identify`."""
        ...

    @property
    def capabilities(self) -> Capabilities: ...

    def identify(self) -> TokenInfo:
        """Ask the token who it is with reads only (no authentication)."""
        ...
