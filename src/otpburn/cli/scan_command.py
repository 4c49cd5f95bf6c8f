"""`otpburn scan`: find QR codes on the screen, in images or on the clipboard, and say what they are."""

from __future__ import annotations

import click

from otpburn.cli.common import emit_json, params_dict, params_rows, print_fields
from otpburn.cli.exit_codes import EXIT_FAILED
from otpburn.cli.options import json_option, scan_options, show_secret_option
from otpburn.cli.seeds import SeedSource, run_scan
from otpburn.otp import OtpParams
from otpburn.sources.classify import classify
from otpburn.sources.selection import select_account


@click.command()
@scan_options
@click.option("--pick", type=click.IntRange(1), metavar="N", help="Keep only the N-th seed found (1-based).")
@click.option("--account", "account_filter", help="Keep only the seed whose name contains TEXT.")
@show_secret_option
@json_option
def scan(screen: bool, images: tuple[str, ...], clipboard: bool, delay: float, save_capture: str | None,
         pick: int | None, account_filter: str | None, show_secret: bool, as_json: bool) -> int:
    """Find QR codes and say what each holds (the screen by default).

    Exit status: 0 a seed was found, 1 codes were found but none is a seed, 3 no code was found.
    """
    result, origin = run_scan(SeedSource(screen, images, clipboard, delay, save_capture), quiet=as_json)
    found = []
    seeds: list[OtpParams] = []
    for code, where in zip(result.codes, result.origins, strict=False):
        payload = classify(code.text)
        found.append((code, where, payload))
        seeds.extend(payload.accounts if payload.is_seed else ())
    chosen = [select_account(seeds, pick, account_filter)] if seeds and (pick or account_filter) else seeds

    if as_json:
        emit_json({
            "source": origin,
            "seconds": round(result.seconds, 4),
            "codes": [{
                "kind": payload.kind.value,
                "description": payload.description,
                "found_in": where,
                "monitor": code.monitor,
                "position": {"x": code.x, "y": code.y, "width": code.width, "height": code.height},
                "seed": payload.is_seed,
                "accounts": [params_dict(a, show_secret) for a in payload.accounts],
                "problem": payload.problem,
                "advice": payload.advice,
            } for code, where, payload in found],
            "seeds": [params_dict(a, show_secret) for a in chosen],
        })
    else:
        for number, (code, where, payload) in enumerate(found, start=1):
            place = f"monitor {code.monitor}" if code.monitor else where
            click.echo(f"QR code {number} ({place}, at {code.x},{code.y}): {payload.description}"
                       + (f" - {payload.export_part}" if payload.export_part else ""))
            for account in payload.accounts:
                if account in chosen or not (pick or account_filter):
                    if len(seeds) > 1:
                        click.echo(f"  seed {seeds.index(account) + 1}:")
                    print_fields([(f"  {name}", value) for name, value in params_rows(account, show_secret)])
            if payload.problem or payload.advice:
                click.echo(f"  {payload.problem or payload.advice}")
        if len(seeds) > 1 and not (pick or account_filter):
            click.echo(f"\n{len(seeds)} seeds found: choose one with --pick N or --account TEXT.")
    if not seeds:
        return EXIT_FAILED
    return 0
