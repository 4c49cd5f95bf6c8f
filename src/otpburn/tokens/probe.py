"""A read-only look at any card, for tokens otpburn does not know (Deepnet SafeID/Diamond, SafeID/Pro …).

What is sent is a fixed list, and every command on it only reads or selects: the reader's own card-UID
query, the Token2 dialect's keyless GET INFO (what the SafeID programmer also reads without a key), the
SELECT that Token2's BURN tool sends, and SELECTs of well-known applets (OATH, PIV, OpenPGP, FIDO). No
authentication, no challenge, no write is ever on it: a token whose protocol is unknown may count a wrong
key against a lockout. On a Molto2 reader only the Molto2's own plain reads are sent.

The result is data — the commands in hex, the answers and status words — for a report a user can share:
nothing in it is a secret (serials and clocks are printed on or shown by the token).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from otpburn.errors import OtpburnError
from otpburn.tokens import molto2, token2, ykoath
from otpburn.transport.apdu import Apdu
from otpburn.transport.channel import Channel


def _select(aid: str, name: str) -> Apdu:
    return Apdu(0x00, 0xA4, 0x04, 0x00, bytes.fromhex(aid), name=name)


TOKEN2_INFO = token2.get_info_apdu()
OATH_SELECT = ykoath.select_apdu()
# The whole list. A test reads it and fails on any instruction that is not a read or a SELECT.
CARD_PROBES: tuple[Apdu, ...] = (
    Apdu(0xFF, 0xCA, 0x00, 0x00, le=0x00, name="GET UID (reader)"),  # PC/SC part 3: answered by the reader
    TOKEN2_INFO,
    _select("B00000000023", "SELECT B0 00 00 00 00 23 (Token2 BURN)"),
    OATH_SELECT,
    _select("A000000308", "SELECT PIV"),
    _select("D27600012401", "SELECT OpenPGP"),
    _select("A0000006472F0001", "SELECT FIDO"),
)
# Device information only: a profile's public block carries its title, which names one of the user's accounts.
MOLTO2_PROBES: tuple[Apdu, ...] = (molto2.device_info_apdu(),)
# Instructions a probe may send: reads and selects only.
READ_ONLY_INSTRUCTIONS = {0xA4, 0xCA, 0x41}


@dataclass(frozen=True)
class Exchange:
    name: str
    command: bytes
    answer: bytes = b""
    sw: int | None = None  # None: the card did not answer (see `failure`)
    failure: str = ""  # the transport's own words when it did not


@dataclass
class ProbeReport:
    reader: str
    atr: bytes
    exchanges: list[Exchange] = field(default_factory=list)
    token2_serial: str = ""  # when the Token2 dialect's GET INFO was answered in its form
    oath_applet: bool = False
    molto2: bool = False  # a Molto2 reader whose device answered its information read

    @property
    def answered(self) -> list[Exchange]:
        return [exchange for exchange in self.exchanges if exchange.sw == 0x9000]


def probe(channel: Channel) -> ProbeReport:
    """Send the read-only probes to the card on `channel` and keep every answer; stop when it leaves."""
    report = ProbeReport(channel.reader, channel.atr)
    commands = MOLTO2_PROBES if molto2.is_molto2_reader(channel.reader) else CARD_PROBES
    for apdu in commands:
        assert apdu.ins in READ_ONLY_INSTRUCTIONS  # noqa: S101 (the list above is fixed; a guard against edits)
        try:
            response = channel.send(apdu)
        except OtpburnError as exc:
            report.exchanges.append(Exchange(apdu.name, apdu.to_bytes(), failure=exc.message))
            break
        report.exchanges.append(Exchange(apdu.name, apdu.to_bytes(), response.data, response.sw))
        if apdu is TOKEN2_INFO and response.sw == 0x9000:
            try:
                report.token2_serial = token2.parse_info(response.data)[0]
            except OtpburnError:
                pass  # answered, but not in the Token2 form: the report shows the bytes
        if apdu in MOLTO2_PROBES and response.sw == 0x9000:
            report.molto2 = True
        if apdu is OATH_SELECT and response.sw == 0x9000:
            report.oath_applet = True
    return report
