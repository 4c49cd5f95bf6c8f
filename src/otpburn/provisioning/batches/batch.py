"""Batches: one seed file, many tokens, presented one after another.

Each token is matched to its seed by serial number (or given the next seed that names no serial) and
burned through the one burn flow (`BurnFlow.run`: its checks, the audit log, the progress record, the
registration), so an interrupted batch goes on where it stopped and never burns one seed twice unless
asked. What the batch says as it goes are events, as data; front ends word them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from otpburn.errors import OtpburnError, ReaderError, RegistrationError, RegistrationProblem
from otpburn.provisioning.access.readers import OpenReader
from otpburn.provisioning.access.session import TokenOnReader, presented_token
from otpburn.provisioning.burn.flow import BurnFlow
from otpburn.provisioning.burn.steps import BurnFailedError, BurnOptions
from otpburn.provisioning.records import audit
from otpburn.provisioning.records.exports import TokenRecord
from otpburn.provisioning.records.progress import Progress
from otpburn.registrars.base import RegistrationState
from otpburn.sources.seedfiles import SeedRecord
from otpburn.sources.seedfiles.model import same_serial
from otpburn.tokens.detect import Credentials, UnknownTokenError

DONE_STATES = {RegistrationState.ACTIVATED.value, RegistrationState.READY.value}  # nothing left for a rerun


class RowResult(StrEnum):
    BURNED = "burned"
    FAILED = "failed"
    SKIPPED = "skipped"
    WOULD_BURN = "would burn"  # a dry run
    REGISTERED = "registered"  # an earlier run's token, registered now
    NOT_REGISTERED = "not registered"  # an earlier run's token the identity system still did not take


class SkipReason(StrEnum):
    UNKNOWN_CARD = "unknown card"  # not a token otpburn knows: left alone
    ALREADY_BURNED = "already burned"  # this batch burned this token before
    NO_SEED = "no seed"  # no seed names this serial, and none is unassigned


@dataclass
class BatchRow:
    serial: str
    model: str
    result: RowResult
    record: SeedRecord | None = None  # the seed-file record it took (None: none)
    skipped: SkipReason | None = None
    error: OtpburnError | None = None  # why it failed, or why registering it did
    resumed: bool = False  # the token moved during its burn; the burn went on where it stopped
    registration: str = ""  # a RegistrationState's value, pending (will be tried again), or ""
    seconds: float = 0.0
    held_since: str = ""  # dry run: the token holds this seed already (this station's audit log), burned then

    @property
    def account(self) -> str:
        return self.record.params.label if self.record else ""


# --- events ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BatchEvent:
    """Something the batch tells as it goes. Front ends word each kind."""


@dataclass(frozen=True)
class PlaceNext(BatchEvent):
    number: int  # of `total`, counted from 1
    total: int


@dataclass(frozen=True)
class RowDone(BatchEvent):
    row: BatchRow
    lift: bool  # the token should now be taken off the reader


@dataclass(frozen=True)
class Stopped(BatchEvent):
    """The batch stops before every seed is burned; running it again goes on."""

    why: StopReason
    left: int  # seeds still to burn
    timeout: float = 0.0


class StopReason(StrEnum):
    NO_TOKEN = "no token"  # noqa: S105  none was placed within the timeout
    NOT_LIFTED = "not lifted"  # the last token stayed on the reader
    VIRTUAL = "virtual"  # the built-in virtual token is one token, always on its reader
    UNREACHABLE = "unreachable"  # the identity system cannot be reached: registrations left for the next run


class Batch:
    def __init__(self, opened: OpenReader, records: list[SeedRecord], options: BurnOptions, flow: BurnFlow,
                 progress: Progress, *, dry_run: bool = False, reburn: bool = False,
                 credentials: Credentials | None = None, token_timeout: float = 300.0,
                 on_event: Callable[[BatchEvent], None] | None = None, cancel: threading.Event | None = None,
                 user_for: Callable[[SeedRecord], str] | None = None) -> None:
        self.opened, self.records, self.options, self.flow, self.progress = opened, records, options, flow, progress
        self.dry_run, self.reburn, self.credentials = dry_run, reburn, credentials or Credentials()
        self.token_timeout = token_timeout
        self._emit = on_event or (lambda event: None)
        self.cancel = cancel
        self.user_for = user_for or (lambda record: record.user or record.upn)
        self.rows: list[BatchRow] = []
        self._assigned: set[str] = set()  # fingerprints handed out in this run (dry runs included)

    @property
    def registers(self) -> bool:
        return self.flow.settings.enroll is not None

    def remaining(self) -> list[SeedRecord]:
        done = set() if self.reburn else set(self.progress.burned)
        return [r for r in self.records if r.params.fingerprint not in done | self._assigned]

    def unregistered(self) -> list[SeedRecord]:
        """Records burned (now or by an earlier run) whose token is not active in the identity system yet."""
        if not self.registers:
            return []
        return [r for r in self.records if r.params.fingerprint in self.progress.burned
                and self.progress.registered.get(r.params.fingerprint) not in DONE_STATES]

    def finish_registrations(self) -> list[BatchRow]:
        """Register the tokens an earlier run burned but could not register (no token needed on the reader)."""
        rows = []
        for record in self.unregistered():
            if self.cancel is not None and self.cancel.is_set():
                break
            serial = self.progress.burned[record.params.fingerprint]
            started = time.perf_counter()
            row = BatchRow(serial, "", RowResult.REGISTERED, record)
            try:
                enrolled = self.flow.register_burned(serial, record.params, self.user_for(record))
            except RegistrationError as exc:
                row.result, row.registration, row.error = RowResult.NOT_REGISTERED, "pending", exc
                self._row(row, started, lift=False)
                rows.append(row)
                if exc.problem is RegistrationProblem.UNREACHABLE:
                    self._emit(Stopped(StopReason.UNREACHABLE, len(self.unregistered())))
                    break
                continue
            row.registration = enrolled.registration.state.value
            self._row(row, started, lift=False)
            rows.append(row)
        return rows

    def run(self, limit: int | None = None) -> list[BatchRow]:
        if self.registers and not self.dry_run:
            self.finish_registrations()
        total = len(self.remaining())
        handled = 0
        while self.remaining() and (limit is None or handled < limit):
            if self.cancel is not None and self.cancel.is_set():
                break
            left = len(self.remaining())
            self._emit(PlaceNext(total - left + 1, total))
            if not self.opened.backend.wait_for_card(self.opened.name, self.token_timeout, self.cancel):
                self._emit(Stopped(StopReason.NO_TOKEN, left, self.token_timeout))
                break
            self._one_token()
            handled += 1
            if not self.remaining() or (limit is not None and handled >= limit):
                break  # nothing more to burn: no need to wait for this token to be lifted
            if self.opened.virtual_card is not None:
                self._emit(Stopped(StopReason.VIRTUAL, len(self.remaining())))
                break
            if not self.opened.backend.wait_for_removal(self.opened.name, self.token_timeout, self.cancel):
                self._emit(Stopped(StopReason.NOT_LIFTED, len(self.remaining()), self.token_timeout))
                break
        return self.rows

    def _one_token(self) -> None:
        started = time.perf_counter()
        try:
            with presented_token(self.opened, credentials=self.credentials) as token:
                self._burn(token, started)
        except UnknownTokenError:
            self._row(BatchRow("?", "", RowResult.SKIPPED, skipped=SkipReason.UNKNOWN_CARD), started)

    def _burn(self, token: TokenOnReader, started: float) -> None:
        info = token.info
        record = self._seed_for(info.serial)
        if record is None:
            reason = SkipReason.ALREADY_BURNED if info.serial in self.progress.burned.values() else SkipReason.NO_SEED
            self._row(BatchRow(info.serial, info.model, RowResult.SKIPPED, skipped=reason), started)
            return
        self._assigned.add(record.params.fingerprint)
        if self.dry_run:
            last = audit.last_burns(info.serial).get(None)
            held = str(last.get("time")) if last and last.get("secret_fingerprint") == record.params.fingerprint \
                else ""
            self._row(BatchRow(info.serial, info.model, RowResult.WOULD_BURN, record, held_since=held), started)
            return
        try:
            outcome = self.flow.run(token, record.params, self.options, user=self.user_for(record))
        except BurnFailedError as exc:
            if exc.cancelled:
                raise KeyboardInterrupt from None  # the user stopped the batch, not just this token
            self._failed(info.serial, info.model, record, exc, started)
            return
        except ReaderError:
            raise
        except OtpburnError as exc:  # a check refused this token: nothing was written to it
            self._failed(info.serial, info.model, record, exc, started)
            return
        row = BatchRow(info.serial, info.model, RowResult.BURNED, record, resumed=outcome.presentations > 1)
        if self.registers:
            if outcome.registration_error is not None:
                row.registration, row.error = "pending", outcome.registration_error
            elif outcome.enrolled is not None:
                row.registration = outcome.enrolled.registration.state.value
        self._row(row, started)

    def _failed(self, serial: str, model: str, record: SeedRecord, error: OtpburnError, started: float) -> None:
        self._assigned.discard(record.params.fingerprint)  # not burned: still available
        self._row(BatchRow(serial, model, RowResult.FAILED, record, error=error), started)

    def _seed_for(self, serial: str) -> SeedRecord | None:
        remaining = self.remaining()
        for record in remaining:
            if same_serial(record.serial, serial):
                return record
        if serial in self.progress.burned.values() and not self.reburn:
            return None
        return next((r for r in remaining if not r.serial), None)

    def _row(self, row: BatchRow, started: float, lift: bool = True) -> None:
        row.seconds = time.perf_counter() - started
        self.rows.append(row)
        self._emit(RowDone(row, lift))


def export_records(records: list[SeedRecord], progress: Progress) -> list[TokenRecord]:
    """TokenRecords for every seed this batch has burned, for the exports."""
    by_fingerprint = {r.params.fingerprint: r for r in records}
    return [TokenRecord(by_fingerprint[f].params, serial, upn=by_fingerprint[f].upn)
            for f, serial in progress.burned.items() if f in by_fingerprint]

