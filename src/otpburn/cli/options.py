"""The options several commands share, declared once: where the seed comes from, the reader and the token's
secrets, seed files, the Molto2's profile and key, exports and the identity system."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from otpburn.cli.common import UTF8_TEXT, AnyCaseChoice
from otpburn.provisioning.records.exports import FORMATS
from otpburn.tokens.base import DEFAULT_DISPLAY_TIMEOUT, DISPLAY_TIMEOUTS

F = TypeVar("F", bound=Callable[..., Any])
NEXT_FREE = "next-free"


def _all(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Several options as one decorator, in the order given (as they show in --help)."""
    def apply(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function
    return apply


json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
show_secret_option = click.option("--show-secret", is_flag=True, help="Show the secret instead of masking it.")

# -- where the seed comes from ------------------------------------------------------------------------------

scan_options = _all(
    click.option("--screen", is_flag=True, help="Scan every monitor for the QR code."),
    click.option("--image", "images", multiple=True, type=click.Path(dir_okay=False, allow_dash=True),
                 help="Scan a screenshot or photo of the QR code (repeatable; '-' reads stdin)."),
    click.option("--clipboard", is_flag=True, help="Use the image or text on the clipboard."),
    click.option("--delay", type=click.FloatRange(0, 60), default=0.0, metavar="SECONDS",
                 help="Count down before capturing the screen (time to bring the page forward)."),
    click.option("--save-capture", type=click.Path(dir_okay=False),
                 help="Save the screen capture that was scanned (created private: it may show a seed)."),
)

seed_source_options = _all(
    scan_options,
    click.option("--uri-file", type=click.Path(dir_okay=False), help="Read an otpauth URI or secret from a file."),
    click.option("--encoding", type=click.Choice(["auto", "base32", "hex"]), default="auto", show_default=True,
                 help="How a bare secret is written."),
    click.option("--pick", type=click.IntRange(1), metavar="N", help="Which account, when the source holds several."),
    click.option("--account", "account_filter", help="Which account (text in its name), when there are several."),
)

# What --seed-file takes, for its help in every command that has it (docs/reference.md lists each format).
SEED_FILE_FORMATS = ("CSV, PSKC, DualShield, otpauth lists, Google export links, and the exports of authenticator apps "
                     "and password managers; '-' reads stdin")

seed_file_options = _all(
    click.option("--seed-password-file", type=click.Path(dir_okay=False),
                 help="Password of an encrypted seed file (PSKC, an app's encrypted backup); asked for when not "
                      "given."),
    click.option("--seed-key-file", type=click.Path(dir_okay=False),
                 help="Pre-shared key of a key-encrypted PSKC file (hex, or the raw bytes), or the key file a KeePass "
                      "database opens with."),
    click.option("--strict", is_flag=True, help="Refuse the whole seed file if any record in it cannot be used."),
)

# -- the reader and the token --------------------------------------------------------------------------------

reader_option = click.option(
    "--reader", "reader_spec", metavar="NAME|N|virtual",
    help="Reader name, its number in 'otpburn readers', or 'virtual' for the built-in virtual token.")
trace_option = click.option("--trace", is_flag=True, help="Print every APDU (secrets redacted) on stderr.")
key_option = click.option("--key-file", type=click.Path(dir_okay=False),
                          help="Token2-family transport key (32 hex digits) for tokens with another key.")
password_option = click.option("--password-file", type=click.Path(dir_okay=False),
                               help="OATH applet password, read from this file (otherwise asked for).")
display_timeout_option = click.option(
    "--display-timeout", type=click.Choice([str(seconds) for seconds in DISPLAY_TIMEOUTS]),
    default=str(DEFAULT_DISPLAY_TIMEOUT), show_default=True, help="Seconds the token's display stays on.")
sync_clock_option = click.option("--sync-clock", is_flag=True, help="Set the token's clock from this PC's clock.")
ntp_option = click.option(
    "--ntp-server", "ntp_servers", multiple=True, metavar="HOST[:PORT]",
    help="Time server for checking the PC's clock before its time goes onto a token (default: pool.ntp.org, or "
         "OTPBURN_NTP_SERVERS).")

customer_key_options = _all(
    click.option("--customer-key-file", type=click.Path(dir_okay=False),
                 help="Molto2: the customer key, read from this file (its text, or 32 hex digits)."),
    click.option("--default-customer-key", is_flag=True,
                 help="Molto2: use the factory customer key (TOKEN2MOLTO1-KEY)."),
    click.option("--i-understand-last-attempt", "last_attempt", is_flag=True,
                 help="Molto2: authenticate even when one attempt is left (a wrong key then locks it)."),
)

molto2_burn_options = _all(
    click.option("--profile", "profile_text", metavar=f"N|{NEXT_FREE}",
                 help="Molto2: the profile to burn (0-99), or the next one holding no seed."),
    click.option("--title", help="Molto2: the profile's title, 12 bytes at most (default: the issuer or account)."),
)

algorithm_option = click.option("--algorithm", type=AnyCaseChoice(["SHA1", "SHA256", "SHA512"]),
                                help="Override the seed's hash algorithm.")

# -- exports and the identity system ---------------------------------------------------------------------------

FORMAT_NAMES = list(FORMATS)  # the one table of export formats, as the CLI names them
# What each format is, in the help (a test keeps the keys equal to the table's).
FORMAT_WORDS = {
    "entra": "Microsoft Entra ID OATH CSV",
    "vendor-csv": "serial,secret",
    "privacyidea": "privacyIDEA/LinOTP OATH CSV",
    "duo": "Duo hardware tokens",
    "dualshield": "DualShield token file XML",
    "pskc": "RFC 6030, encrypted",
    "otpauth": "URI list",
    "qr": "PNG",
}
FORMAT_HELP = "The file's format: " + ", ".join(f"{name} ({FORMAT_WORDS[name]})" for name in FORMAT_NAMES) + "."

export_option = click.option(
    "--export", "exports", multiple=True, metavar="FORMAT:FILE",
    help=f"After the burn, write the seed for an identity system ({', '.join(FORMAT_NAMES)}); repeatable.")
export_password_option = click.option("--export-password-file", type=click.Path(dir_okay=False),
                                      help="Password for a PSKC export.")
export_key_option = click.option(
    "--export-key-file", type=click.Path(dir_okay=False),
    help="PSKC: encrypt with this pre-shared AES-128 key instead of a password (32 hex digits, or the 16 raw bytes).")

registrar_file_option = click.option(
    "--registrar-file", type=click.Path(dir_okay=False), metavar="FILE",
    help="The registrar file (TOML; default: registrars.toml in otpburn's config folder, or OTPBURN_REGISTRAR_FILE).")
computed_code_option = click.option(
    "--activate-with-computed-code", "computed_code", is_flag=True,
    help="Activate with the code computed from the seed instead of one read off the token (for unattended batches; "
         "it proves the server holds the seed, not that the token shows the same code).")

registrar_options = _all(
    click.option("--register", "register_name", metavar="NAME",
                 help="Then register (and activate) the token in the identity system the registrar file's [NAME] "
                      "section describes."),
    click.option("--user", "register_user", metavar="USER", type=UTF8_TEXT,
                 help="Who the token is for: a UPN for Entra ID, NAME or NAME@REALM for privacyIDEA."),
    registrar_file_option,
    computed_code_option,
)
