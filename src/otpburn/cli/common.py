"""Helpers shared by the commands: JSON output, reading secrets safely, showing seeds."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem

from otpburn.errors import InputError
from otpburn.files import decode_text, read_at_most, read_input_file
from otpburn.otp import OtpParams, OtpType, encode_base32, mask_secret
from otpburn.untrusted import escape_invisible, utf8_encodable

MAX_TEXT_INPUT = 1 << 20  # a seed text is tiny; refuse to slurp a huge file by mistake

if TYPE_CHECKING:
    StrChoice = click.Choice[str]
    TextParamType = click.ParamType[str, Any]
else:  # click.Choice and ParamType are generic in later versions; 8.1 cannot subscript them at run time
    StrChoice = click.Choice
    TextParamType = click.ParamType


class AnyCaseChoice(StrChoice):
    """A choice typed in any case (sha256 or SHA256), shown in help, errors and Tab completion as written here
    (SHA256, OTPC-P2-i): click 8.2 and later case-fold case-insensitive choices in all three."""

    def __init__(self, choices: Sequence[str]) -> None:
        super().__init__(choices, case_sensitive=False)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:  # no ctx before 8.2
        listed = "|".join(str(choice) for choice in self.choices)
        return f"{{{listed}}}" if param.required and param.param_type_name == "argument" else f"[{listed}]"

    def get_invalid_choice_message(self, value: object, ctx: click.Context | None) -> str:
        return f"{value!r} is not one of {', '.join(map(repr, self.choices))}."

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        return [CompletionItem(choice) for choice in self.choices
                if str(choice).casefold().startswith(incomplete.casefold())]


class Utf8Text(TextParamType):
    """Text that goes to an identity system or into a file (a serial, a user, a column). A command-line argument
    holding bytes that are not UTF-8 reaches Python as lone surrogates, which nothing can encode: refused here, its
    option named, rather than where it is encoded."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if not utf8_encodable(text):
            self.fail("holds bytes that are not UTF-8 text (typed in another encoding?)", param, ctx)
        return text


UTF8_TEXT = Utf8Text()


def emit_json(data: Any) -> None:
    """JSON for scripts; characters a terminal would act on (from a token, a server, a file) escaped."""
    click.echo(escape_invisible(json.dumps(data, indent=2, ensure_ascii=False)))


def print_fields(rows: Sequence[tuple[str, object]]) -> None:
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        click.echo(f"{name.ljust(width)}  {value}")


def read_text_file(path: str) -> str:
    """Read a small text file, or standard input for '-', with errors a user understands."""
    if path == "-":
        return read_stdin()

    return _decode_text(read_input_file(path, "a seed", MAX_TEXT_INPUT), path)


def read_stdin() -> str:
    data = read_at_most(sys.stdin.buffer, MAX_TEXT_INPUT)
    return _decode_text(data, "standard input")


def _decode_text(data: bytes, origin: str) -> str:
    if len(data) > MAX_TEXT_INPUT:
        raise InputError(f"{origin} is larger than {MAX_TEXT_INPUT // 1024} KiB; that is not a seed")
    return decode_text(data, origin)


def read_secret_text(prompt: str = "Secret or otpauth URI") -> str:
    """Secret text from standard input when piped, else from a hidden prompt."""
    if not sys.stdin.isatty():
        text = read_stdin()
    else:
        text = click.prompt(prompt, hide_input=True, err=True)
    if not text.strip():
        raise InputError("no secret given on standard input")
    return text


def params_dict(params: OtpParams, show_secret: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "issuer": params.issuer,
        "account": params.account,
        "type": params.type.value,
        "algorithm": params.algorithm.value,
        "digits": params.digits,
        "secret_length": len(params.secret),
        "fingerprint": params.fingerprint,
    }
    if params.type is OtpType.TOTP:
        data["period"] = params.period
    else:
        data["counter"] = params.counter
    if show_secret:
        data["secret"] = encode_base32(params.secret)
    return data


def params_rows(params: OtpParams, show_secret: bool = False) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [
        ("Issuer", params.issuer or "-"),
        ("Account", params.account or "-"),
        ("Type", params.type.value.upper()),
        ("Algorithm", params.algorithm.value),
        ("Digits", params.digits),
    ]
    rows.append(("Period", f"{params.period} s") if params.type is OtpType.TOTP else ("Counter", params.counter))
    secret = encode_base32(params.secret) if show_secret else mask_secret(params.secret)
    rows.append(("Secret", secret if not show_secret else f"{secret} ({len(params.secret)} bytes)"))
    return rows


def describe_params(params: OtpParams) -> str:
    timing = f"{params.period} s" if params.type is OtpType.TOTP else f"counter {params.counter}"
    kind = f"{params.type.value.upper()} {params.algorithm.value}, {params.digits} digits, {timing}"
    return f"{params.label or '(no name)'} ({kind})"


class GroupedCommand(click.Command):
    """A command whose --help shows its options in named groups, then worked examples.

    `groups`: (title, option flags) in the order shown; options in no group come last under "Other options".
    `examples`: (command line, what it does).
    """

    def __init__(self, *args: Any, groups: Sequence[tuple[str, Sequence[str]]] = (),
                 examples: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups, self.examples = groups, examples
        flags = {flag for _, members in groups for flag in members}
        known = {flag for param in self.params for flag in param.opts}
        unknown = flags - known
        if unknown:  # a renamed option must not silently drop out of the help
            raise RuntimeError(f"{self.name}: help groups name unknown options {sorted(unknown)}")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Options only: an argument (SEED_FILE) is in the usage line and the command's own text.
        records = {param: param.get_help_record(ctx) for param in self.get_params(ctx)
                   if isinstance(param, click.Option)}
        shown: set[click.Parameter] = set()
        for title, members in self.groups:
            rows = []
            for param, record in records.items():
                if record and set(param.opts) & set(members):
                    rows.append(record)
                    shown.add(param)
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
        rest = [record for param, record in records.items() if record and param not in shown]
        if rest:
            with formatter.section("Other options"):
                formatter.write_dl(rest)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.examples:
            with formatter.section("Examples"):
                for line, meaning in self.examples:
                    formatter.write(f"{'':>{formatter.current_indent}}$ {line}\n")  # unwrapped: copy and paste
                    with formatter.indentation():
                        formatter.write_text(meaning)
        super().format_epilog(ctx, formatter)
