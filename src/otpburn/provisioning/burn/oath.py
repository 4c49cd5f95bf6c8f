"""Burning into an OATH applet: one credential added, read back and verified by the token itself."""

from __future__ import annotations

import time

from otpburn.errors import InputError, Remedy, VerificationError
from otpburn.otp.fitting import FittedSecret
from otpburn.otp.hotp import code_at
from otpburn.otp.params import OtpParams, OtpType
from otpburn.otp.refusals import Refusal, RefusalKind
from otpburn.provisioning.burn.steps import (
    BurnNote,
    BurnOptions,
    BurnRun,
    FamilyBurn,
    SeedDoesNotFitError,
    Step,
    TokenState,
    Verification,
)
from otpburn.tokens.base import TokenInfo
from otpburn.tokens.ykoath import MAX_COUNTER, YkoathSession, credential_id, time_challenge


class CredentialExistsError(InputError):
    def __init__(self, name: str) -> None:
        super().__init__(f"the applet already holds a credential named {name!r}", remedy=Remedy.FORCE)
        self.name = name


class CredentialMissingError(VerificationError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"the applet does not list {name!r} after writing it")


class CodeMismatchError(VerificationError):
    def __init__(self, token_code: str | None, host_code: str) -> None:
        self.token_code, self.host_code = token_code, host_code
        super().__init__(f"the token computes {token_code} where the seed gives {host_code}: the credential does "
                         "not hold this seed; delete it and burn again")


class OathBurn(FamilyBurn[YkoathSession]):
    def check(self, info: TokenInfo, params: OtpParams, options: BurnOptions) -> tuple[FittedSecret, list[BurnNote]]:
        if params.type is OtpType.HOTP and params.counter > MAX_COUNTER:
            raise SeedDoesNotFitError([Refusal(RefusalKind.COUNTER, info.model, params.counter, (MAX_COUNTER,))])
        return super().check(info, params, options)

    def steps(self, run: BurnRun[YkoathSession]) -> None:
        session, params, options = run.session, run.params, run.options
        name = credential_id(params)
        run.report.credential = name
        if session.locked:
            with run.step(Step.AUTHENTICATE):
                session.unlock()  # the password from the session's credentials, once: a wrong one stops here

        run.current = Step.PREFLIGHT
        # After a lost link the credential may be ours from the interrupted PUT: replace it.
        if name in {credential.name for credential in session.list()} and not (options.replace or run.resumed):
            raise CredentialExistsError(name)

        with run.step(Step.SEED):
            session.put(params, options.oath.touch)

        with run.step(Step.READ_BACK):
            if name not in {credential.name for credential in session.list()}:
                raise CredentialMissingError(name)

        if params.type is OtpType.TOTP:  # an HOTP calculation would move the token's counter on
            with run.step(Step.VERIFY):
                now = time.time()
                token_code = session.calculate(name, time_challenge(now, params.period))
                host_code = code_at(params, now)
                run.report.verification = Verification(token_code, host_code, token_code == host_code)
                if token_code != host_code:
                    raise CodeMismatchError(token_code, host_code)

    def state_after(self, finished: set[Step], info: TokenInfo, interrupted: Step | None = None) -> TokenState:
        if Step.SEED in finished or interrupted is Step.SEED:  # a PUT whose answer was lost may have landed
            return TokenState.CREDENTIAL_UNCONFIRMED
        return TokenState.UNTOUCHED

    def carry_over(self, finished: set[Step]) -> set[Step]:
        return finished - {Step.SEED}  # a PUT is written again: it replaces what the lost one may have left
