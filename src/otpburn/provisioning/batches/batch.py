"""Batches: one seed file, many tokens, presented one after another.

Each token is matched to its seed by serial number (or given the next seed that names
no serial), burned with the resilient burn, logged, and recorded in a progress file
(fingerprints and serials only, never a secret) so an interrupted batch goes on where
it stopped and never burns one seed twice unless asked.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from otpburn.errors import OtpburnError, ReaderError, RegistrationError, RegistrationProblem
from otpburn.files import write_private
from otpburn.provisioning.access.readers import OpenReader
from otpburn.provisioning.access.session import TokenOnReader, presented_token
from otpburn.provisioning.burn.resilient import resilient_burn
from otpburn.provisioning.burn.steps import BurnOptions, BurnReport
from otpburn.provisioning.enrollment import CodeSource, enroll
from otpburn.provisioning.records import audit
from otpburn.provisioning.records.exports import TokenRecord
from otpburn.registrars.base import Enrollment, Registrar
from otpburn.sources.seedfiles import SeedRecord
from otpburn.sources.seedfiles.model import same_serial
from otpburn.tokens.detect import UnknownTokenError
from otpburn.tokens.token2 import TRANSPORT_KEY


@dataclass
class BatchRow:
    serial: str
    model: str
    result: str  # burned, failed, skipped, would burn; registered / not registered (an earlier run's token)
    seed_line: int | None = None
    account: str = ""
    detail: str = ""
    seconds: float = 0.0
    registration: str = ""  # activated, registered (not activated), pending (will be tried again), or ""

    def as_dict(self) -> dict[str, object]:
        return {"serial": self.serial, "model": self.model, "result": self.result, "seed_line": self.seed_line,
                "account": self.account, "detail": self.detail, "seconds": round(self.seconds, 3),
                "registration": self.registration}


@dataclass
class BatchRegistration:
    """Registering each burned token: where, who each seed-file record's token is for, where codes come from."""

    registrar: Registrar
    user_for: Callable[[SeedRecord], str]
    # (record, serial, the burn's report or None for an earlier run's token) -> a code source, or None
    code_for: Callable[[SeedRecord, str, BurnReport | None], CodeSource | None]
    force: bool = False


@dataclass
class Progress:
    """What earlier runs of this batch burned: seed fingerprint -> token serial."""

    path: Path
    burned: dict[str, str] = field(default_factory=dict)
    registered: dict[str, str] = field(default_factory=dict)  # fingerprint -> "activated" | "registered"

    @classmethod
    def load(cls, path: Path) -> Progress:
        if path.exists():
            try:
                data = json.loads(path.read_text())
                return cls(path, dict(data.get("burned", {})), dict(data.get("registered", {})))
            except (OSError, ValueError):
                raise OtpburnError(f"the progress file {path} is damaged; move it away to start the batch afresh") \
                    from None
        return cls(path)

    def save(self) -> None:
        data = {"burned": self.burned, **({"registered": self.registered} if self.registered else {})}
        write_private(self.path, json.dumps(data, indent=1).encode(), force=True)


class Batch:
    def __init__(self, opened: OpenReader, records: list[SeedRecord], options: BurnOptions, progress: Progress, *,
                 dry_run: bool = False, reburn: bool = False, key: bytes = TRANSPORT_KEY,
                 token_timeout: float = 300.0, resume_timeout: float = 30.0,
                 say: Callable[[str], None] = print, cancel: threading.Event | None = None,
                 registration: BatchRegistration | None = None) -> None:
        self.opened, self.records, self.options, self.progress = opened, records, options, progress
        self.dry_run, self.reburn, self.key = dry_run, reburn, key
        self.token_timeout, self.resume_timeout = token_timeout, resume_timeout
        self.say, self.cancel = say, cancel
        self.registration = registration
        self.rows: list[BatchRow] = []
        self._assigned: set[str] = set()  # fingerprints handed out in this run (dry runs included)

    def remaining(self) -> list[SeedRecord]:
        done = set() if self.reburn else set(self.progress.burned)
        return [r for r in self.records if r.params.fingerprint not in done | self._assigned]

    def unregistered(self) -> list[SeedRecord]:
        """Records burned (now or by an earlier run) whose token is not active in the identity system yet."""
        if self.registration is None:
            return []
        return [r for r in self.records if r.params.fingerprint in self.progress.burned
                and self.progress.registered.get(r.params.fingerprint) != "activated"]

    def finish_registrations(self) -> list[BatchRow]:
        """Register the tokens an earlier run burned but could not register (no token needed on the reader)."""
        rows = []
        if self.registration is None:
            return []
        for record in self.unregistered():
            if self.cancel is not None and self.cancel.is_set():
                break
            serial = self.progress.burned[record.params.fingerprint]
            started = time.perf_counter()
            row = BatchRow(serial, "", "", record.line, record.params.label)
            error = self._register(self.registration, record, serial, None, row)
            row.result = "not registered" if row.registration == "pending" else "registered"
            self._row(row, started, lift=False)
            rows.append(row)
            if error is not None and error.problem is RegistrationProblem.UNREACHABLE:
                left = len(self.unregistered())
                self.say(f"  the identity system cannot be reached: {left} registration(s) left for the next run")
                break
        return rows

    def run(self, limit: int | None = None) -> list[BatchRow]:
        if self.registration is not None and not self.dry_run:
            self.finish_registrations()
        total = len(self.remaining())
        handled = 0
        while self.remaining() and (limit is None or handled < limit):
            if self.cancel is not None and self.cancel.is_set():
                break
            left = len(self.remaining())
            self.say(f"[{total - left + 1}/{total}] Place the next token on the reader…")
            if not self.opened.backend.wait_for_card(self.opened.name, self.token_timeout, self.cancel):
                self.say(f"No token within {self.token_timeout:.0f} s; {left} seed(s) left. Run the batch again "
                         "to go on.")
                break
            self._one_token()
            handled += 1
            if not self.remaining() or (limit is not None and handled >= limit):
                break  # nothing more to burn: no need to wait for this token to be lifted
            if self.opened.virtual_card is not None:
                # The built-in virtual token never leaves its reader, and it is one token.
                self.say(f"The virtual token stays on its reader: the batch stops here ({len(self.remaining())} "
                         "seed(s) left).")
                break
            if not self._wait_for_removal():
                self.say(f"The token was not lifted within {self.token_timeout:.0f} s; {len(self.remaining())} "
                         "seed(s) left. Run the batch again to go on.")
                break
        return self.rows

    def _one_token(self) -> None:
        started = time.perf_counter()
        try:
            with presented_token(self.opened, key=self.key) as token:
                self._burn(token, started)
        except UnknownTokenError as exc:
            self._row(BatchRow("?", "unknown card", "skipped", detail=str(exc)), started)

    def _burn(self, token: TokenOnReader, started: float) -> None:
        info = token.info
        record = self._seed_for(info.serial)
        if record is None:
            reason = ("already burned by this batch" if info.serial in self.progress.burned.values()
                      else "no seed for this serial, and no unassigned seed left")
            self._row(BatchRow(info.serial, info.model, "skipped", detail=reason), started)
            return
        self._assigned.add(record.params.fingerprint)
        if self.dry_run:
            self._row(BatchRow(info.serial, info.model, "would burn", record.line, record.params.label), started)
            return
        where = {"reader": self.opened.name, "family": info.family, "model": info.model, "serial": info.serial}
        try:
            report, presentations = resilient_burn(
                self.opened, record.params, self.options, key=self.key, first_session=token.session,
                on_wait=self.say, resume_timeout=self.resume_timeout, cancel=self.cancel)
        except ReaderError:
            raise
        except OtpburnError as exc:
            self._assigned.discard(record.params.fingerprint)  # not burned: still available
            audit.record("burn", "failed", params=record.params, detail=str(exc), extra={"batch": True}, **where)
            self._row(BatchRow(info.serial, info.model, "failed", record.line, record.params.label, str(exc)),
                      started)
            return
        self.progress.burned[record.params.fingerprint] = info.serial
        self.progress.save()
        verification = ("automatic: the token computed the expected code" if report.verification
                        else "codes shown; check a sample of tokens with otpburn verify")
        audit.record("burn", "ok", params=record.params, verification=verification, extra={"batch": True}, **where)
        detail = "resumed after the token moved" if presentations > 1 else ""
        row = BatchRow(info.serial, info.model, "burned", record.line, record.params.label, detail)
        if self.registration is not None:
            self._register(self.registration, record, info.serial, report, row)
        self._row(row, started)

    def _register(self, how: BatchRegistration, record: SeedRecord, serial: str, report: BurnReport | None,
                  row: BatchRow) -> RegistrationError | None:
        """Register one burned token, recording the outcome in `row` and the progress file; never raises."""
        enrollment = Enrollment(serial, record.params, how.user_for(record))
        try:
            enrolled = enroll(how.registrar, enrollment, how.code_for(record, serial, report), force=how.force,
                              batch=True)
        except RegistrationError as exc:
            row.registration = "pending"
            row.detail = "; ".join(part for part in (row.detail, f"not registered: {exc}") if part)
            return exc
        state = "activated" if enrolled.registration.activated else "registered"
        self.progress.registered[record.params.fingerprint] = state
        self.progress.save()
        row.registration = state
        return None

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
        note = f" ({row.detail})" if row.detail else ""
        registered = f", {row.registration}" if row.registration and row.registration != "pending" else ""
        model = f"{row.model} " if row.model else ""
        self.say(f"  {row.result}{registered}: {model}{row.serial}"
                 f"{' ← line ' + str(row.seed_line) if row.seed_line else ''}{note}."
                 + (" Remove the token." if lift else ""))

    def _wait_for_removal(self) -> bool:
        return self.opened.backend.wait_for_removal(self.opened.name, self.token_timeout, self.cancel)


def export_records(records: list[SeedRecord], progress: Progress) -> list[TokenRecord]:
    """TokenRecords for every seed this batch has burned, for the exports."""
    by_fingerprint = {r.params.fingerprint: r for r in records}
    return [TokenRecord(by_fingerprint[f].params, serial, upn=by_fingerprint[f].upn)
            for f, serial in progress.burned.items() if f in by_fingerprint]
