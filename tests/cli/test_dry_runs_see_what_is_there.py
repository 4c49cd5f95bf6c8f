"""`fill --dry-run` and `batch --dry-run` say when an account is on the token already: a profile whose title is
the one burned from this same seed (by its fingerprint, in this station's audit log)."""

from __future__ import annotations


def test_fill_dry_run_names_accounts_the_molto2_holds_already(cli, tmp_path):
    seeds = tmp_path / "accounts.txt"
    seeds.write_text("otpauth://totp/Held:one?secret=JBSWY3DPEHPK3PXP&issuer=Held\n"
                     "otpauth://totp/New:two?secret=GEZDGNBVGY3TQOJQGEZDGNBV&issuer=New\n")
    first = tmp_path / "first.txt"
    first.write_text("otpauth://totp/Held:one?secret=JBSWY3DPEHPK3PXP&issuer=Held\n")
    filled = cli("fill", str(first), "--reader", "virtual-molto2", "--default-customer-key")
    assert filled.returncode == 0, filled.stderr.decode()
    planned = cli("fill", str(seeds), "--reader", "virtual-molto2", "--dry-run")
    out = planned.stdout.decode()
    assert planned.returncode == 0, planned.stderr.decode()
    held = [line for line in out.splitlines() if line.startswith("  ! ")]
    assert len(held) == 1 and held[0].startswith("  ! line 1 is on this token already: profile ")
    assert "Held" in held[0] and "this station's audit log" in held[0]


def test_batch_dry_run_names_a_token_that_holds_the_seed_already(cli, tmp_path):
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("serial,secret\n8659622000001,KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ\n")
    burned = cli("batch", str(seeds), "--reader", "virtual", "--count", "1")
    assert burned.returncode == 0, burned.stderr.decode()
    planned = cli("batch", str(seeds), "--reader", "virtual", "--count", "1", "--dry-run", "--progress-file",
                  str(tmp_path / "fresh.progress.json"))
    assert planned.returncode == 0, planned.stderr.decode()
    assert "it holds this seed already: burned " in planned.stdout.decode()
