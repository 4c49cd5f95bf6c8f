"""Getting one seed for a command from whichever source the user named."""

from __future__ import annotations

from dataclasses import dataclass

import click

from otpburn.cli.common import read_secret_text, read_text_file
from otpburn.errors import InputError, NotASeedError
from otpburn.otp import OtpParams, decode_secret
from otpburn.sources.classify import Payload, PayloadKind, classify
from otpburn.sources.selection import select_account


@dataclass
class SeedChoice:
    params: OtpParams
    origin: str  # where it came from, for the user


def scan_options(function):
    """Where to look for QR codes: --screen, --image, --clipboard, and the capture helpers."""
    for decorator in reversed([
        click.option("--screen", is_flag=True, help="Scan every monitor for the QR code."),
        click.option("--image", "images", multiple=True, type=click.Path(dir_okay=False, allow_dash=True),
                     help="Scan a screenshot or photo of the QR code (repeatable; '-' reads stdin)."),
        click.option("--clipboard", is_flag=True, help="Use the image or text on the clipboard."),
        click.option("--delay", type=click.FloatRange(0, 60), default=0.0, metavar="SECONDS",
                     help="Count down before capturing the screen (time to bring the page forward)."),
        click.option("--save-capture", type=click.Path(dir_okay=False),
                     help="Save the screen capture that was scanned (created private: it may show a seed)."),
    ]):
        function = decorator(function)
    return function


def seed_source_options(function):
    """Every seed source: the scan options plus --uri-file / stdin, and account choice."""
    for decorator in reversed([
        scan_options,
        click.option("--uri-file", type=click.Path(dir_okay=False), help="Read an otpauth URI or secret from a file."),
        click.option("--encoding", type=click.Choice(["auto", "base32", "hex"]), default="auto", show_default=True,
                     help="How a bare secret is written."),
        click.option("--pick", type=click.IntRange(1), metavar="N",
                     help="Which account, when the source holds several."),
        click.option("--account", "account_filter", help="Which account (text in its name), when there are several."),
    ]):
        function = decorator(function)
    return function


def run_scan(screen: bool, images: tuple[str, ...], clipboard: bool, delay: float, save_capture: str | None,
             quiet: bool = False):
    """The ScanResult of the one scan source chosen (the screen when none is)."""
    from otpburn.sources import scan

    if sum([screen, bool(images), clipboard]) > 1:
        raise InputError("choose one of --screen, --image and --clipboard")
    if images:
        return scan.scan_images(list(images)), ", ".join("standard input" if i == "-" else i for i in images)
    if clipboard:
        return scan.scan_clipboard(), "the clipboard"
    if save_capture and not screen:
        screen = True

    def countdown(left: int) -> None:
        if not quiet:
            click.echo(f"Capturing the screen in {left}…", err=True)

    return scan.scan_screen(delay, save_capture, countdown=countdown), "the screen"


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


def get_seed(screen: bool, images: tuple[str, ...], clipboard: bool, delay: float, save_capture: str | None,
             uri_file: str | None, encoding: str, pick: int | None, account_filter: str | None,
             quiet: bool = False) -> SeedChoice:
    if screen or images or clipboard or save_capture:
        if uri_file:
            raise InputError("give the seed one way: a scan source or --uri-file")
        result, origin = run_scan(screen, images, clipboard, delay, save_capture, quiet)
        seeds = payload_seeds([classify(code.text) for code in result.codes])
        return SeedChoice(select_account(seeds, pick, account_filter), origin)
    text = read_text_file(uri_file) if uri_file else read_secret_text()
    return SeedChoice(seed_from_text(text, encoding, pick, account_filter), uri_file or "standard input")


def seed_from_text(text: str, encoding: str, pick: int | None, account: str | None) -> OtpParams:
    """A seed from text: otpauth URI, Google export (one account chosen), or a bare secret."""
    if encoding != "auto":
        return OtpParams(secret=decode_secret(text.strip(), encoding).secret)
    payload = classify(text)
    if payload.kind in (PayloadKind.SECRET_BASE32, PayloadKind.SECRET_HEX, PayloadKind.UNKNOWN):
        # Short or odd bare secrets: decode directly so the error names the bad character.
        return OtpParams(secret=decode_secret(text.strip()).secret)
    return select_account(payload.require_seed(), pick, account)
