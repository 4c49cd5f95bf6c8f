"""Burning into an OATH applet: one credential added, read back and verified by the token itself."""

from __future__ import annotations

import time
from collections.abc import Callable

from otpburn.errors import InputError, OtpburnError, VerificationError
from otpburn.otp.hotp import code_at
from otpburn.otp.params import OtpParams, OtpType
from otpburn.provisioning.burn import BurnFailed, BurnOptions, BurnReport, Step, Verification, check_fit
from otpburn.tokens.ykoath import PasswordRequired, YkoathSession, credential_id, time_challenge


def burn_oath(session: YkoathSession, params: OtpParams, options: BurnOptions,
              progress: Callable[[Step], None] | None = None, skip: frozenset[Step] = frozenset()) -> BurnReport:
    started = time.perf_counter()
    notify = progress or (lambda step: None)
    info = session.info or session.select()
    done: list[Step] = [Step.IDENTIFY]
    report: BurnReport | None = None
    step = Step.PREFLIGHT
    try:
        fitted, warnings = check_fit(info, params)
        name = credential_id(params)
        report = BurnReport(info, params, fitted, warnings, done, credential=name)

        if session.locked:
            step = Step.AUTHENTICATE
            if options.password is None:
                raise PasswordRequired()
            session.validate(options.password)  # once: a wrong password stops here
            done.append(step)
            notify(step)

        step = Step.PREFLIGHT
        existing = {credential.name for credential in session.list()}
        # After a lost link the credential may be ours from the interrupted PUT: replace it.
        resumed = Step.PREFLIGHT in skip
        if name in existing and not (options.overwrite or resumed):
            raise InputError(f"the applet already holds a credential named {name!r}; use --force to replace it")
        done.append(step)
        notify(step)

        if Step.SEED not in skip:
            step = Step.SEED
            session.put(params, options.touch)
            done.append(step)
            notify(step)

        step = Step.READ_BACK
        if name not in {credential.name for credential in session.list()}:
            raise VerificationError(f"the applet does not list {name!r} after writing it")
        done.append(step)
        notify(step)

        if params.type is OtpType.TOTP:  # an HOTP calculation would move the token's counter on
            step = Step.VERIFY
            now = time.time()
            token_code = session.calculate(name, time_challenge(now, params.period))
            host_code = code_at(params, now)
            report.verification = Verification(token_code, host_code, token_code == host_code)
            if token_code != host_code:
                raise VerificationError(
                    f"the token computes {token_code} where the seed gives {host_code}: the credential does "
                    "not hold this seed; delete it and burn again")
            done.append(step)
            notify(step)
    except OtpburnError as exc:
        if Step.SEED in done or Step.SEED in skip:
            state = f"The credential {report.credential!r} was written but could not be confirmed."
        else:
            state = "Nothing was written to the token."
        raise BurnFailed(step, exc, state, report, done) from None
    report.seconds = time.perf_counter() - started
    report.apdus = session.channel.exchanges
    return report
