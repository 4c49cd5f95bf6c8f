"""The `otpburn` entry point: a click group whose commands load only when used."""

from __future__ import annotations

import codecs
import importlib
import io
import os
import sys

import click

from otpburn import __version__
from otpburn.errors import (
    InputError,
    NothingFoundError,
    OtpburnError,
    ReaderError,
    RegistrationError,
    Remedy,
    VerificationError,
)
from otpburn.untrusted import tame

EXIT_OK = 0
EXIT_FAILED = 1  # an operation failed, or a QR code held no seed
EXIT_BAD_INPUT = 2  # bad input or usage
EXIT_NO_READER = 3  # no reader or token (scan: no QR code)
EXIT_MISMATCH = 4  # the token's code does not match the seed
EXIT_NOT_REGISTERED = 5  # the identity system did not take the token (a burn before it stands)

# First match wins; an error that wraps another (a stopped burn) exits as the one underneath.
EXIT_CODES: list[tuple[type[OtpburnError], int]] = [
    (VerificationError, EXIT_MISMATCH),
    (ReaderError, EXIT_NO_READER),
    (NothingFoundError, EXIT_NO_READER),
    (InputError, EXIT_BAD_INPUT),
    (RegistrationError, EXIT_NOT_REGISTERED),
]

_PCSC_START = {
    "linux": "start it ('sudo systemctl start pcscd', or run 'pcscd')",
    "win32": "start the Windows 'Smart Card' service (services.msc)",
    "darwin": "macOS runs it by itself: unplug and plug the reader in again",
}
# Programs that commonly keep a reader to themselves, per platform.
_READER_HOLDERS = {
    "linux": "often GnuPG's scdaemon ('gpgconf --kill scdaemon'), Yubico Authenticator, a browser's smart-card "
             "module or another token tool",
    "win32": "often Yubico Authenticator, a vendor's burner tool, a browser's smart-card module or a remote-desktop "
             "session redirecting the reader",
    "darwin": "often GnuPG's scdaemon ('gpgconf --kill scdaemon'), Yubico Authenticator or another token tool",
}
_HOLDERS_HERE = _READER_HOLDERS.get(sys.platform, _READER_HOLDERS["linux"])

# How the CLI words each remedy (the window has its own words for the same data).
REMEDIES: dict[Remedy, str] = {
    Remedy.FORCE: "use --force to replace it",
    Remedy.CUSTOMER_KEY: "give the customer key in a file (--customer-key-file) or at the prompt",
    Remedy.LAST_ATTEMPT: "only with the right key for certain, add --i-understand-last-attempt",
    Remedy.CHOOSE_PROFILE: "use --profile N or --profile next-free (see 'otpburn profiles')",
    Remedy.OVERWRITE_PROFILE: "use --profile next-free, or --force to replace this profile",
    Remedy.CONFIRM_WIPE: "add --yes to go ahead (the new seed is written right after)",
    Remedy.TOKEN_PASSWORD: "give the password at the prompt or with --password-file",
    Remedy.SEED_FILE_PASSWORD: "give its password with --seed-password-file, or at the prompt",
    Remedy.SEED_FILE_KEY: "give the key with --seed-key-file FILE (hex, or the raw 16, 24 or 32 bytes)",
    Remedy.DECRYPT_SEED_FILE: "decrypt it on the way in, so the seeds never land on disk in clear: "
                              "gpg --decrypt FILE | otpburn … --seed-file -",
    Remedy.PICK_ACCOUNT: "choose one with --pick N or --account TEXT",
    Remedy.CHOOSE_READER: "choose one with --reader NAME or --reader N",
    Remedy.LIST_READERS: "see 'otpburn readers'",
    Remedy.VIRTUAL_READER: "plug in an NFC reader, or use --reader virtual to try otpburn",
    Remedy.START_PCSC: _PCSC_START.get(sys.platform, _PCSC_START["linux"]) + ", or use --reader virtual to try "
                                                                              "otpburn",
    Remedy.OTHER_SOURCE: "use --image or --clipboard instead",
    Remedy.SCAN_AGAIN: "try --delay 5 to switch windows first, --save-capture FILE to see what was captured, or "
                       "--image / --clipboard",
    Remedy.SYNC_CLOCK: "set it from this PC's clock with --sync-clock",
    Remedy.ALGORITHM: "burn again with --algorithm",
    Remedy.PERIOD: "burn again with --period",
    Remedy.ENCODING: "burn again giving the secret in the encoding it was written in (--encoding)",
    Remedy.DELETE_CREDENTIAL: "delete a credential first (otpburn delete NAME)",
    Remedy.FREE_READER: f"close the program that holds it ({_HOLDERS_HERE}"
                        ") and try again",
    Remedy.REGISTRAR_SETTINGS: "fix the registrar file (--registrar-file FILE; the README's 'Registering tokens' "
                               "shows each section)",
    Remedy.REGISTRAR_SIGN_IN: "check the account and the secret the registrar file names",
    Remedy.REGISTRAR_CA: "name the CA that signed it with ca-file in the registrar file",
    Remedy.REPLACE_TOKEN: "use --force to replace it",
    Remedy.RESUME_REGISTRATION: "try again once it answers (a token already burned keeps its seed: 'otpburn "
                                "register' finishes it)",
    Remedy.TOKEN_CODE: "wait for the token's next code and try again; if it still fails, compare the codes with "
                       "'otpburn verify'",
}


def exit_code_for(exc: OtpburnError) -> int:
    while exc.cause is not None:
        exc = exc.cause
    return next((code for kind, code in EXIT_CODES if isinstance(exc, kind)), EXIT_FAILED)


def describe(exc: OtpburnError) -> str:
    """An error in the CLI's words: the message and, where there is one, the flag that helps."""
    return exc.worded(REMEDIES.get)

# name -> (module:function, one-line help). Help text lives here so `otpburn --help`
# does not import every command module.
COMMANDS: dict[str, tuple[str, str]] = {
    "parse": ("otpburn.cli.seed_commands:parse", "Show what an otpauth URI, export or pasted text holds."),
    "scan": ("otpburn.cli.scan_command:scan", "Find QR codes on the screen, in images or on the clipboard."),
    "code": ("otpburn.cli.seed_commands:code", "Show the previous, current and next codes of a seed."),
    "random": ("otpburn.cli.seed_commands:random_cmd", "Make a new random seed."),
    "readers": ("otpburn.cli.token_commands:readers", "List PC/SC readers and the tokens on them."),
    "info": ("otpburn.cli.token_commands:info", "Identify the token on a reader: model, serial, clock."),
    "burn": ("otpburn.cli.burn_command:burn", "Burn a seed into a token, read it back, show the codes."),
    "batch": ("otpburn.cli.batch_command:batch", "Burn a seed file into many tokens, one after another."),
    "verify": ("otpburn.cli.verify_command:verify", "Check the code a token shows; diagnose a mismatch."),
    "register": ("otpburn.cli.register_command:register", "Register burned tokens in privacyIDEA or Entra ID."),
    "export": ("otpburn.cli.export_commands:export_cmd", "Write seeds for Entra ID, privacyIDEA, PSKC, QR..."),
    "log": ("otpburn.cli.export_commands:log_cmd", "Show the audit log (never a secret)."),
    "accounts": ("otpburn.cli.oath_commands:accounts", "List the credentials on an OATH applet (YubiKey)."),
    "delete": ("otpburn.cli.oath_commands:delete", "Delete an OATH credential, or a Molto2 profile's seed."),
    "profiles": ("otpburn.cli.molto2_commands:profiles", "List the profiles of a Token2 Molto2."),
    "fill": ("otpburn.cli.molto2_commands:fill", "Burn a seed file's accounts into a Molto2's free profiles."),
    "sync-clock": ("otpburn.cli.molto2_commands:sync_clock", "Set a Molto2's profile clocks from this PC's."),
    "change-key": ("otpburn.cli.molto2_commands:change_key", "Change a Molto2's customer key (▲ confirms)."),
    "factory-reset": ("otpburn.cli.molto2_commands:factory_reset", "Erase a Molto2 and restore its factory key."),
    "gui": ("otpburn.cli.gui_command:gui", "Open the desktop app."),
    "doctor": ("otpburn.cli.doctor:doctor", "Check PC/SC, readers, tokens and the PC's clock."),
    "emulate": ("otpburn.cli.emulate:emulate", "Run an emulated token on the PC/SC stack (testing)."),
    "completion": ("otpburn.cli.completion:completion", "Print the Tab-completion script for bash, zsh or fish."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module_name, _, attribute = COMMANDS[name][0].partition(":")
        return getattr(importlib.import_module(module_name), attribute)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                            list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            import difflib  # only for a mistyped command: kept off the start-up path

            close = difflib.get_close_matches(name, list(COMMANDS), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"the commands are: {', '.join(COMMANDS)}"
            raise click.UsageError(f"no command {name!r}; {hint}", ctx)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_text) for name, (_, help_text) in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="otpburn")
def cli() -> None:
    """Burn a 2FA seed into a hardware OTP token and verify it.

    Seeds are read from QR codes, files or standard input, never from the command line.
    """


# Marks otpburn prints, and what stands for them where the terminal or file cannot show them.
_ASCII_FALLBACKS = {"✓": "ok", "✗": "X", "…": "...", "—": "-", "–": "-", "←": "<-", "→": "->", "×": "x",
                    "•": "*", "○": "o"}


def _ascii_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start:error.end]
    return "".join(_ASCII_FALLBACKS.get(char, "?") for char in text), error.end


def survive_any_encoding() -> None:
    """Output in a legacy encoding (cp1252 when redirected on Windows, ASCII) gets ASCII marks, never a crash."""
    codecs.register_error("otpburn-ascii", _ascii_fallback)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="otpburn-ascii")


def main(argv: list[str] | None = None) -> None:
    survive_any_encoding()
    arguments = sys.argv[1:] if argv is None else argv
    try:
        rv = cli.main(args=argv, prog_name="otpburn", standalone_mode=False)
    except OtpburnError as exc:
        if "--json" in arguments:  # a script asked for JSON: the failure is JSON on stdout too

            from otpburn.cli.common import emit_json

            emit_json({"error": {"message": describe(exc), "kind": type(exc).__name__,
                                 "remedy": exc.remedy.value if exc.remedy else None, "exit_code": exit_code_for(exc)}})
        _fail(describe(exc), exit_code_for(exc))
    except click.exceptions.Abort:
        _fail("cancelled", 130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _fail("cancelled", 130)
    except BrokenPipeError:
        sys.exit(EXIT_FAILED)
    except Exception as exc:  # a bug: say so in one line; the traceback is opt-in
        if os.environ.get("OTPBURN_DEBUG"):
            raise
        _fail(f"internal error ({type(exc).__name__}: {exc}); set OTPBURN_DEBUG=1 to see where", EXIT_FAILED)
    sys.exit(rv if isinstance(rv, int) else 0)


def _fail(message: str, code: int) -> None:
    # One line, nothing a terminal acts on: a message may quote a token, a server or a file.
    click.echo(f"otpburn: {tame(message, 4000)}", err=True)
    sys.exit(code)
