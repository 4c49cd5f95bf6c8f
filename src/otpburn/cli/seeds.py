"""Getting seeds for a command: one from whichever source the user named, or the records of a seed file."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import click

from otpburn.cli.common import read_secret_text, read_text_file
from otpburn.errors import InputError, NotASeedError, Remedy
from otpburn.files import read_input_file
from otpburn.otp import OtpParams, decode_secret
from otpburn.sources.classify import Payload, PayloadKind, classify
from otpburn.sources.scan import ScanResult, scan_clipboard, scan_images, scan_screen
from otpburn.sources.seedfiles import SeedRecord, read_seed_file
from otpburn.sources.seedfiles.keepass_kdbx import MAX_KEY_FILE_BYTES
from otpburn.sources.seedfiles.model import same_serial
from otpburn.sources.seedfiles.pskc_files import parse_preshared_key
from otpburn.sources.selection import select_account


@dataclass
class SeedChoice:
    params: OtpParams
    origin: str  # where it came from, for the user


@dataclass(frozen=True)
class SeedSource:
    """Where a command's one seed comes from, as its options said."""

    screen: bool = False
    images: tuple[str, ...] = ()
    clipboard: bool = False
    delay: float = 0.0
    save_capture: str | None = None
    uri_file: str | None = None
    encoding: str = "auto"
    pick: int | None = None
    account: str | None = None

    @property
    def scans(self) -> bool:
        return self.screen or bool(self.images) or self.clipboard or bool(self.save_capture)

    @property
    def described(self) -> str:
        """How to give the same seed again, for a message."""
        if self.images:
            return f"--image {self.images[0]}"
        if self.uri_file:
            return f"--uri-file {self.uri_file}"
        return "(and the seed, given as for burn)"


def run_scan(source: SeedSource, quiet: bool = False) -> tuple[ScanResult, str]:
    """The ScanResult of the one scan source chosen (the screen when none is), and what it was."""
    if sum([source.screen, bool(source.images), source.clipboard]) > 1:
        raise InputError("choose one of --screen, --image and --clipboard")
    if source.images:
        return scan_images(list(source.images)), ", ".join("standard input" if i == "-" else i for i in source.images)
    if source.clipboard:
        return scan_clipboard(), "the clipboard"

    def countdown(left: int) -> None:
        if not quiet:
            click.echo(f"Capturing the screen in {left}…", err=True)

    return scan_screen(source.delay, source.save_capture, countdown=countdown), "the screen"


def payload_seeds(payloads: list[Payload]) -> list[OtpParams]:
    seeds: list[OtpParams] = []
    for payload in payloads:
        if payload.is_seed:
            seeds.extend(payload.accounts)
    if seeds:
        return seeds
    if len(payloads) == 1:
        payloads[0].require_seed()
    reasons = "; ".join(f"{p.description}: {p.problem or p.advice}" for p in payloads)
    raise NotASeedError(f"no seed in the QR codes found ({reasons})")


def get_seed(source: SeedSource, quiet: bool = False) -> SeedChoice:
    if source.scans:
        if source.uri_file:
            raise InputError("give the seed one way: a scan source or --uri-file")
        result, origin = run_scan(source, quiet)
        seeds = payload_seeds([classify(code.text) for code in result.codes])
        return SeedChoice(select_account(seeds, source.pick, source.account), origin)
    text = read_text_file(source.uri_file) if source.uri_file else read_secret_text()
    return SeedChoice(seed_from_text(text, source.encoding, source.pick, source.account),
                      source.uri_file or "standard input")


def seed_from_text(text: str, encoding: str, pick: int | None, account: str | None) -> OtpParams:
    """A seed from text: otpauth URI, Google export (one account chosen), or a bare secret."""
    if encoding != "auto":
        return OtpParams(secret=decode_secret(text.strip(), encoding).secret)
    payload = classify(text)
    if payload.kind in (PayloadKind.SECRET_BASE32, PayloadKind.SECRET_HEX, PayloadKind.UNKNOWN):
        # Short or odd bare secrets: decode directly so the error names the bad character.
        return OtpParams(secret=decode_secret(text.strip()).secret)
    return select_account(payload.require_seed(), pick, account)


# -- seed files --------------------------------------------------------------------------------------------

def seed_file_password(password_file: str | None, key_file: str | None = None) -> Callable[[], str]:
    def ask() -> str:
        if password_file:
            return read_text_file(password_file).rstrip("\r\n")
        if sys.stdin.isatty():
            if key_file:  # a KeePass database may open with its key file alone
                return str(click.prompt("Password of the seed file (Enter: none, the key file alone)",
                                        hide_input=True, err=True, default="", show_default=False))
            return str(click.prompt("Password of the seed file", hide_input=True, err=True))
        raise InputError("the seed file is encrypted", remedy=Remedy.SEED_FILE_PASSWORD)  # the reader names it

    return ask


def seed_file_key(key_file: str | None) -> Callable[[], bytes]:
    """The pre-shared key of a key-encrypted PSKC: from a file (hex or raw) or typed as hex at a hidden prompt."""
    def ask() -> bytes:
        if key_file:
            return parse_preshared_key(read_input_file(key_file, "a key file", 4096))
        if sys.stdin.isatty():
            return parse_preshared_key(str(click.prompt("Key of the seed file (hex)", hide_input=True,
                                                        err=True)).encode())
        raise InputError("the seed file is encrypted with a pre-shared key: give --seed-key-file")

    return ask


def load_seed_file(path: str, password_file: str | None, key_file: str | None, strict: bool,
                   check: Callable[[SeedRecord], None] | None = None) -> list[SeedRecord]:
    """The usable records of a seed file ("-": standard input); the ones left out, and notes, are
    listed on standard error. `check` refuses a record as soon as it is read."""
    named_key_file = (lambda: read_input_file(key_file, "a key file", MAX_KEY_FILE_BYTES)) if key_file else None
    contents = read_seed_file(path, seed_file_password(password_file, key_file), key=seed_file_key(key_file),
                              key_file=named_key_file, strict=strict, check=check)
    name = contents.path
    for problem in contents.problems:
        click.echo(f"otpburn: {name}: {problem} (left out)", err=True)
    for note in contents.notes:
        click.echo(f"otpburn: {name}: {note}", err=True)
    if contents.problems:
        click.echo(f"otpburn: {name}: {len(contents.records)} of {len(contents.records) + len(contents.problems)} "
                   "records read; --strict refuses a file with any unusable record", err=True)
    return contents.records


def matching_records(records: Sequence[SeedRecord], account: str, seed_file: str) -> list[SeedRecord]:
    needle = account.casefold()
    kept = [record for record in records if needle in record.params.label.casefold()]
    if not kept:
        raise InputError(f"no account in {seed_file} matches {account!r}")
    return kept


def one_record_per_secret(records: Sequence[SeedRecord], seed_file: str) -> list[SeedRecord]:
    """A batch never burns one seed into two tokens: later records with a secret seen before are left out."""
    seen: dict[bytes, str] = {}
    kept = []
    for record in records:
        first = seen.setdefault(record.params.secret, record.place)
        if first == record.place:
            kept.append(record)
        else:
            click.echo(f"otpburn: {seed_file}: {record.place} is left out of the batch: its secret is the one "
                       f"at {first}, and a seed goes into one token (or profile) only", err=True)
    return kept


def seed_for_token(records: Sequence[SeedRecord], serial: str, pick: int | None, account: str | None,
                   seed_file: str) -> SeedChoice:
    """The record naming this token's serial; else the one --pick or --account chooses; else the only
    record, when the file names no serials (an app export with one account)."""
    name = "standard input" if seed_file == "-" else seed_file
    matching = [r for r in records if same_serial(r.serial, serial)]
    if matching and pick is None and account is None:
        return SeedChoice(matching[0].params, f"{name}, {matching[0].place}")
    if pick is not None or account is not None or (len(records) == 1 and not records[0].serial):
        chosen = select_account([r.params for r in records], pick, account)
        record = next(r for r in records if r.params is chosen)
        return SeedChoice(chosen, f"{name}, {record.place}")
    if any(r.serial for r in records):
        raise InputError(f"{name} holds no seed for serial {serial}; choose one with --pick N or --account TEXT")
    return SeedChoice(select_account([r.params for r in records]), name)  # raises: several accounts, none chosen
