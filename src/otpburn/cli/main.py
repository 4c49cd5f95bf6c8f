"""The `otpburn` entry point: a click group whose commands load only when used."""

from __future__ import annotations

import codecs
import importlib
import io
import os
import sys

import click

from otpburn import __version__
from otpburn.cli.exit_codes import EXIT_CANCELLED, EXIT_FAILED
from otpburn.errors import OtpburnError
from otpburn.untrusted import tame

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
    "delete": ("otpburn.cli.delete_command:delete", "Delete an OATH credential, or a Molto2 profile's seed."),
    "profiles": ("otpburn.cli.molto2_commands:profiles", "List the profiles of a Token2 Molto2."),
    "fill": ("otpburn.cli.molto2_commands:fill", "Burn a seed file's accounts into a Molto2's free profiles."),
    "sync-clock": ("otpburn.cli.molto2_commands:sync_clock", "Set a Molto2's profile clocks from this PC's."),
    "change-key": ("otpburn.cli.molto2_commands:change_key", "Change a Molto2's customer key (▲ confirms)."),
    "factory-reset": ("otpburn.cli.molto2_commands:factory_reset", "Erase a Molto2 and restore its factory key."),
    "probe": ("otpburn.cli.probe_command:probe", "Read-only look at a card otpburn does not know; a report."),
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
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command

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


def _no_colour(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.color = False  # inherited by every command's context


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="otpburn")
@click.option("--no-color", is_flag=True, expose_value=False, is_eager=True, callback=_no_colour,
              help="No colour in the output (also when NO_COLOR is set).")
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
        # NO_COLOR (no-color.org): any non-empty value turns colour off; otherwise click colours terminals only.
        colour = False if os.environ.get("NO_COLOR") else None
        rv = cli.main(args=argv, prog_name="otpburn", standalone_mode=False, color=colour)
    except OtpburnError as exc:
        # Loaded for a failure only: the wording tables bring the data types of every room (~60 ms), which
        # `otpburn --help` and a command that succeeds do not pay.
        from otpburn.cli.common import emit_json
        from otpburn.cli.wording import describe, exit_code_for

        if "--json" in arguments:  # a script asked for JSON: the failure is JSON on stdout too
            emit_json({"error": {"message": describe(exc), "kind": type(exc).__name__,
                                 "remedy": exc.remedy.value if exc.remedy else None, "exit_code": exit_code_for(exc)}})
        _fail(describe(exc), exit_code_for(exc))
    except click.exceptions.Abort:
        _fail("cancelled", EXIT_CANCELLED)
    except click.ClickException as exc:
        if "--json" in arguments:  # a usage error is JSON for a script too
            from otpburn.cli.common import emit_json

            emit_json({"error": {"message": exc.format_message(), "kind": "UsageError" if isinstance(
                exc, click.UsageError) else type(exc).__name__, "remedy": None, "exit_code": exc.exit_code}})
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _fail("cancelled", EXIT_CANCELLED)
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
