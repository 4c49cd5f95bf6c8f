"""What every token driver declares: its family, what it can hold, what it knows of itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from otpburn.otp.params import Algorithm, OtpParams, OtpType


@dataclass(frozen=True)
class Capabilities:
    """What a token model can hold and do; preflight compares OtpParams against it."""

    family: str
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

    def refusals(self, params: OtpParams) -> list[str]:
        """Why `params` cannot go onto this token as they are (empty when they fit).

        Secret length is not checked here: RFC 2104 fitting may make it fit.
        """
        problems = []
        if params.type not in self.types:
            problems.append(f"the {self.model} holds only {_join(t.value.upper() for t in self.types)} accounts, "
                            f"not {params.type.value.upper()}")
        if params.algorithm not in self.algorithms:
            problems.append(f"the {self.model} computes {_join(a.value for a in sorted(self.algorithms))} only, "
                            f"not {params.algorithm.value}")
        if params.digits not in self.digits:
            problems.append(f"the {self.model} shows {_join(str(d) for d in sorted(self.digits))} digits, "
                            f"not {params.digits}")
        if params.type is OtpType.TOTP and self.periods is not None and params.period not in self.periods:
            problems.append(f"the {self.model} supports periods of {_join(f'{p} s' for p in sorted(self.periods))}, "
                            f"not {params.period} s")
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


def _join(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


@dataclass(frozen=True)
class TokenInfo:
    """What a token told us about itself when identified."""

    family: str
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
