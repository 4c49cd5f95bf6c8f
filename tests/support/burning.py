"""Burning through the one burn flow in tests, as a front end does (`BurnFlow.run`), with its waits collected."""

from __future__ import annotations

from otpburn.otp import OtpParams
from otpburn.provisioning.access.session import TokenOnReader
from otpburn.provisioning.burn.flow import BurnFlow, BurnOutcome, FlowEvent, FlowSettings, Waiting
from otpburn.provisioning.burn.resilient import TokenLeft
from otpburn.provisioning.burn.steps import BurnOptions


def burn_on(token: TokenOnReader, params: OtpParams, options: BurnOptions, *, resume_timeout: float = 30.0,
            waits: list[TokenLeft] | None = None, events: list[FlowEvent] | None = None) -> BurnOutcome:
    def seen(event: FlowEvent) -> None:
        if events is not None:
            events.append(event)
        if isinstance(event, Waiting) and waits is not None:
            waits.append(event.left)

    flow = BurnFlow(FlowSettings(front_end="test", resume_timeout=resume_timeout, check_pc_clock=False), seen)
    return flow.run(token, params, options)
