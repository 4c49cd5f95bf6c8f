"""DualShield's token import file: written in the layout of Deepnet's published examples, read back as a seed
file. No DualShield server is reachable here: the published format page and its examples are the judge."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from otpburn.cli.wording import describe
from otpburn.errors import InputError
from otpburn.otp import Algorithm, OtpParams, OtpType
from otpburn.provisioning.records.exports import ExportRefusedError, TokenRecord, export, render
from otpburn.sources.seedfiles import read_seed_file

CORPUS = Path(__file__).resolve().parent.parent / "data" / "seedfiles"
PUBLISHED = CORPUS / "dualshield-v5-format-page.xml"  # the example on Deepnet's format page
RECORDS = [TokenRecord(OtpParams(secret=bytes.fromhex("08E49538328BAE830E0DB14A82341100BC23B8") + bytes([0x40 + n]),
                                 period=60), f"7135847{n + 2}") for n in range(2)]


def shape(element: ElementTree.Element) -> list[str]:
    """The document's element paths in order: what an importer walks."""
    found: list[str] = []

    def walk(node: ElementTree.Element, prefix: str) -> None:
        path = f"{prefix}/{node.tag}"
        found.append(path)
        for child in node:
            walk(child, path)

    walk(element, "")
    return found


def test_the_file_has_the_published_examples_elements_order_and_values(tmp_path):
    path = tmp_path / "tokens.xml"
    export("dualshield", RECORDS, str(path))
    assert path.stat().st_mode & 0o777 == 0o600
    # Files we wrote and the published example: trusted XML.
    ours = ElementTree.parse(path).getroot()  # noqa: S314
    theirs = ElementTree.parse(PUBLISHED).getroot()  # noqa: S314
    assert shape(ours) == shape(theirs)
    assert {e.tag: e.text for e in ours.find("header")} == {e.tag: e.text.strip() for e in theirs.find("header")}
    assert [(t.findtext("serial"), t.findtext("seed")) for t in ours.iter("token")] == \
           [(t.findtext("serial").strip(), t.findtext("seed").strip()) for t in theirs.iter("token")]
    assert path.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<data>\n  <header>')


def test_it_reads_back_as_the_same_tokens(tmp_path):
    records = [TokenRecord(OtpParams(secret=bytes([n]) * 32, algorithm=Algorithm.SHA256, digits=8), f"8659622{n:06d}")
               for n in range(1, 4)]
    path = tmp_path / "tokens.xml"
    export("dualshield", records, str(path))
    back = read_seed_file(str(path))
    assert back.kind == "DualShield token file (V5)" and not back.problems and not back.notes
    assert [(r.serial, r.params) for r in back.records] == [(r.serial, r.params) for r in records]


def test_what_the_file_cannot_hold_is_refused_before_anything_is_written(tmp_path):
    mixed = RECORDS + [TokenRecord(OtpParams(secret=b"\x09" * 20, period=30), "71358480")]
    with pytest.raises(InputError, match="a DualShield token file holds one kind of token"):
        export("dualshield", mixed, str(tmp_path / "mixed.xml"))
    assert not (tmp_path / "mixed.xml").exists()
    with pytest.raises(ExportRefusedError) as refused:
        render("dualshield", [TokenRecord(OtpParams(secret=b"\x09" * 20, type=OtpType.HOTP), "1")])
    assert describe(refused.value) == "token 1 cannot go into the dualshield export: DualShield's token import " \
                                      "takes only TOTP tokens, not HOTP"
    with pytest.raises(ExportRefusedError, match="serial"):
        render("dualshield", [TokenRecord(OtpParams(secret=b"\x09" * 20))])


def test_export_and_burn_write_it_from_the_command_line(cli, tmp_path):
    exported = cli("export", "--format", "dualshield", "--seed-file", str(PUBLISHED), "--output",
                   str(tmp_path / "again.xml"))
    assert exported.returncode == 0, exported.stderr.decode()
    assert read_seed_file(str(tmp_path / "again.xml")).records == read_seed_file(str(PUBLISHED)).records
    uri = "otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DP&issuer=Acme"
    burned = cli("burn", "--reader", "virtual", "--yes", "--export", f"dualshield:{tmp_path / 'burned.xml'}",
                 stdin=uri)
    assert burned.returncode == 0, burned.stderr.decode()
    (record,) = read_seed_file(str(tmp_path / "burned.xml")).records
    assert record.serial == "8659622000001" and record.params.period == 30


@pytest.mark.parametrize(("element", "value"), [("digits", "²"), ("timeWindow", "٦٠"), ("digits", "1" * 5000)])
def test_a_header_number_in_other_digits_is_named(tmp_path, element, value):
    text = PUBLISHED.read_text(encoding="utf-8")
    path = tmp_path / "tokens.xml"
    path.write_text(re.sub(f"<{element}>[^<]*<", f"<{element}>{value}<", text, count=1), encoding="utf-8")
    with pytest.raises(InputError, match="header's digits and time window are not numbers"):
        read_seed_file(str(path))
