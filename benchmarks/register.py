"""Burn → registered: the time per token from the start of a burn to the token active in a local
privacyIDEA server, against the burn alone (baseline, same run).

Each token: a burn into the in-process virtual token, then the registration: sign-in (once per
run, as a batch does), the user and serial looked up, /token/init with the user and
/validate/check with the seed's code. Rows: the burn alone (baseline), the registration alone,
the registration with a fresh sign-in per token, and burn → registered.

Needs the privacyIDEA the tests use (scripts/test.sh installs it into .venv-privacyidea).
Usage: python benchmarks/register.py [--tokens N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from _harness import Timing, print_table, time_function  # noqa: E402
from tests.support.privacyidea_server import PrivacyIdeaServer, available  # noqa: E402

from otpburn.emulator.token2 import Token2Emulator, Token2Memory  # noqa: E402
from otpburn.otp import OtpParams  # noqa: E402
from otpburn.provisioning.burn.families import BurnOptions, burn  # noqa: E402
from otpburn.provisioning.enrollment import code_from_seed, enroll  # noqa: E402
from otpburn.registrars.base import Enrollment  # noqa: E402
from otpburn.registrars.factory import open_registrar  # noqa: E402
from otpburn.registrars.settings import load_settings  # noqa: E402
from otpburn.tokens.detect import open_session  # noqa: E402
from otpburn.transport import Channel, VirtualReader  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=20)
    args = parser.parse_args()
    if not available():
        raise SystemExit("privacyIDEA is not installed: run scripts/test.sh once (it makes .venv-privacyidea)")
    workdir = Path(tempfile.mkdtemp(prefix="otpburn-register-bench-"))
    os.environ.setdefault("OTPBURN_AUDIT_LOG", str(workdir / "audit.jsonl"))
    server = PrivacyIdeaServer(workdir / "server")
    (workdir / "server").mkdir()
    server.set_up()
    try:
        settings = load_settings("privacyidea", server.registrar_file(workdir))
        reader = VirtualReader(Token2Emulator(Token2Memory(serial="8659622000001")))
        name = reader.list_readers()[0].name
        counter = iter(range(1_000_000))
        waits: list[float] = []
        registrar = open_registrar(settings)

        def new_seed() -> OtpParams:
            return OtpParams(secret=next(counter).to_bytes(4, "big") * 5, issuer="Bench", account="alice")

        def burn_only() -> OtpParams:
            params = new_seed()
            connection = reader.connect(name)
            try:
                waits.append(burn(open_session(Channel(connection)), params, BurnOptions()).clock_wait)
            finally:
                connection.disconnect()
            return params

        def register(params: OtpParams, shared=registrar) -> None:
            serial = f"BENCH{params.secret[:4].hex()}"
            enroll(shared, Enrollment(serial, params, "alice"), code_from_seed(params))

        def fresh_sign_in(params: OtpParams) -> None:
            own = open_registrar(settings)
            try:
                register(params, own)
            finally:
                own.close()

        def without_waits(timing: Timing) -> Timing:
            """The burns' waits for the token's clock to tick over taken out (they line up with wall-clock
            seconds and would hide the registration's time in their slack)."""
            timed = waits[-len(timing.samples):]
            return Timing(timing.label, [t - w for t, w in zip(timing.samples, timed, strict=True)], timing.peak_kib)

        burn_row = without_waits(time_function("burn (virtual token, clock waits out), baseline", burn_only,
                                               args.tokens))
        rows = [
            burn_row,
            time_function("registration alone (signed in once)", lambda: register(new_seed()), args.tokens),
            time_function("registration alone, fresh sign-in each", lambda: fresh_sign_in(new_seed()), args.tokens),
            without_waits(time_function("burn → registered + activated (clock waits out)",
                                        lambda: register(burn_only()), args.tokens)),
        ]
        registrar.close()
        print(f"burn → registered in privacyIDEA 3.14 (local, sqlite), {args.tokens} tokens per row")
        print_table(rows, rows[0], "peak py KiB")
        print(f"\nregistration adds {rows[1].median_ms:.0f} ms per token to the burn; on its own a station could "
              f"register {3_600_000 / max(rows[1].median_ms, 1):.0f} tokens per hour (placing tokens by hand is "
              "the limit)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
