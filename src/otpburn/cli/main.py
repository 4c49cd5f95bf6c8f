"""The `otpburn` entry point: a click group whose commands load only when used."""

from __future__ import annotations

import importlib
import os
import sys

import click

from otpburn import __version__
from otpburn.errors import EXIT_FAILED, OtpburnError

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
    "export": ("otpburn.cli.export_commands:export_cmd", "Write seeds for Entra ID, privacyIDEA, PSKC, QR..."),
    "log": ("otpburn.cli.export_commands:log_cmd", "Show the audit log (never a secret)."),
    "accounts": ("otpburn.cli.oath_commands:accounts", "List the credentials on an OATH applet (YubiKey)."),
    "delete": ("otpburn.cli.oath_commands:delete", "Delete a credential from an OATH applet."),
    "gui": ("otpburn.cli.gui_command:gui", "Open the desktop app."),
    "doctor": ("otpburn.cli.doctor:doctor", "Check PC/SC, readers, tokens and the PC's clock."),
    "emulate": ("otpburn.cli.emulate:emulate", "Run an emulated token on the PC/SC stack (testing)."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module_name, _, attribute = COMMANDS[name][0].partition(":")
        return getattr(importlib.import_module(module_name), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_text) for name, (_, help_text) in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="otpburn")
def cli() -> None:
    """Burn a 2FA seed into a hardware OTP token and verify it.

    Seeds are read from QR codes, files or standard input, never from the command line.
    """


def main(argv: list[str] | None = None) -> None:
    try:
        rv = cli.main(args=argv, prog_name="otpburn", standalone_mode=False)
    except OtpburnError as exc:
        _fail(str(exc), exc.exit_code)
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
    click.echo(f"otpburn: {message}", err=True)
    sys.exit(code)
