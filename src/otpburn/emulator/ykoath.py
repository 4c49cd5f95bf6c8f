"""An emulated YKOATH applet, card side: credentials, password, touch flag, response chaining.

Written from the YKOATH specification independently of `otpburn.tokens.ykoath` (it
parses every command itself) and checked against yubikit, a client we did not write.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from otpburn.emulator.faults import FaultPlan
from otpburn.files import write_private

ATR = bytes.fromhex("3B8D80018073C021C057597562694B6579F9")  # a YubiKey 5 NFC seen through a PC/SC reader
AID = bytes.fromhex("A0000005272101")
MAX_CHUNK = 255  # longest answer before "61 xx, ask SEND REMAINING"

OK = b"\x90\x00"
WRONG_LENGTH = b"\x67\x00"
AUTH_REQUIRED = b"\x69\x82"
NO_SUCH_OBJECT = b"\x69\x84"
WRONG_SYNTAX = b"\x6A\x80"
NO_SPACE = b"\x6A\x84"
NOT_FOUND = b"\x6A\x82"
BAD_INS = b"\x6D\x00"
BAD_CLA = b"\x6E\x00"
_HASHES = {1: "sha1", 2: "sha256", 3: "sha512"}


@dataclass
class Credential:
    kind: int  # type (high nibble) | algorithm (low nibble)
    digits: int
    key: bytes
    touch: bool = False
    counter: int = 0


@dataclass
class OathState:
    version: tuple[int, int, int] = (5, 4, 3)
    salt: bytes = field(default_factory=lambda: os.urandom(8))
    access_key: bytes | None = None
    credentials: dict[bytes, Credential] = field(default_factory=dict)
    capacity: int = 32
    validate_attempts: int = 0


def _tlv(tag: int, value: bytes) -> bytes:
    if len(value) < 0x80:
        return bytes((tag, len(value))) + value
    return bytes((tag, 0x81, len(value))) + value


class _MalformedError(Exception):
    pass


def _parse(data: bytes) -> list[tuple[int, bytes]]:
    items, i = [], 0
    while i < len(data):
        tag = data[i]
        if tag == 0x78:  # the property tag carries one value byte and no length
            if i + 1 >= len(data):
                raise _MalformedError
            items.append((tag, data[i + 1:i + 2]))
            i += 2
            continue
        if i + 1 >= len(data):
            raise _MalformedError
        length, i = data[i + 1], i + 2
        if length == 0x81:
            if i >= len(data):
                raise _MalformedError
            length, i = data[i], i + 1
        if i + length > len(data):
            raise _MalformedError
        items.append((tag, data[i:i + length]))
        i += length
    return items


class YkoathEmulator:
    atr = ATR

    def __init__(self, state: OathState | None = None, faults: FaultPlan | None = None,
                 state_path: str | os.PathLike[str] | None = None) -> None:
        self.state_path = Path(state_path) if state_path else None
        if state is None and self.state_path and self.state_path.exists():
            state = _load(self.state_path)
        self.state = state or OathState()
        self.faults = faults or FaultPlan()
        self._lock = threading.Lock()
        self._selected = False
        self._unlocked = False
        self._challenge = b""
        self._pending = b""  # the rest of a long answer, for SEND REMAINING
        self.on_change = None

    def set_password(self, password: str | None) -> None:
        """Set (or clear) the access code from outside, as another tool would have."""
        self.state.access_key = (None if password is None else
                                 hashlib.pbkdf2_hmac("sha1", password.encode(), self.state.salt, 1000, 16))

    def code(self, name: str, challenge: bytes) -> str | None:
        """What the applet would answer for `name`, as the host would display it."""
        credential = self.state.credentials.get(name.encode())
        if credential is None:
            return None
        mac = hmac.new(credential.key, challenge, _HASHES[credential.kind & 0x0F]).digest()
        offset = mac[-1] & 0x0F
        value = int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF
        return str(value % 10**credential.digits).zfill(credential.digits)

    # --- card interface ----------------------------------------------------------------
    def power_on(self) -> None:
        self._selected = self._unlocked = False
        self._pending = b""

    def power_off(self) -> None:
        self.power_on()

    def process(self, command: bytes) -> bytes:
        with self._lock:
            if len(command) < 4:
                return WRONG_LENGTH
            forced = self.faults.before(command[1])
            if forced is not None:
                return forced
            answer = self._dispatch(command)
            self.faults.after(command[1])
            return answer

    def _dispatch(self, command: bytes) -> bytes:
        cla, ins, p1, p2 = command[:4]
        data = b""
        if len(command) > 5:
            lc = command[4]
            if len(command) not in (5 + lc, 6 + lc):
                return WRONG_LENGTH
            data = command[5:5 + lc]
        if cla != 0x00:
            return BAD_CLA
        if ins == 0xA4 and p1 == 0x04:  # SELECT; the same INS with P1 00 is CALCULATE ALL
            return self._select(p1, data)
        if not self._selected:
            return NOT_FOUND
        if ins == 0xA5:
            return self._chunk(self._pending)
        self._pending = b""
        handlers = {0x01: self._put, 0x02: self._delete, 0x03: self._set_code, 0x04: self._reset,
                    0xA1: self._list, 0xA2: self._calculate, 0xA3: self._validate, 0xA4: self._calculate_all}
        handler = handlers.get(ins)
        if handler is None:
            return BAD_INS
        needs_auth = ins not in (0xA3, 0x04)
        if needs_auth and self.state.access_key is not None and not self._unlocked:
            return AUTH_REQUIRED
        try:
            return handler(p1, p2, data)
        except _MalformedError:
            return WRONG_SYNTAX

    def _chunk(self, answer: bytes) -> bytes:
        if len(answer) <= MAX_CHUNK:
            self._pending = b""
            return answer + OK
        self._pending = answer[MAX_CHUNK:]
        return answer[:MAX_CHUNK] + bytes((0x61, min(len(self._pending), 0xFF)))

    def _select(self, p1: int, data: bytes) -> bytes:
        if data != AID:
            self._selected = False
            return NOT_FOUND
        self._selected, self._unlocked, self._pending = True, False, b""
        answer = _tlv(0x79, bytes(self.state.version)) + _tlv(0x71, self.state.salt)
        if self.state.access_key is not None:
            self._challenge = os.urandom(8)
            answer += _tlv(0x74, self._challenge) + _tlv(0x7B, b"\x01")
        return answer + OK

    def _validate(self, p1: int, p2: int, data: bytes) -> bytes:
        self.state.validate_attempts += 1
        fields = dict(_parse(data))
        if self.state.access_key is None or 0x75 not in fields or 0x74 not in fields:
            return WRONG_SYNTAX
        expected = hmac.new(self.state.access_key, self._challenge, "sha1").digest()
        self._challenge = os.urandom(8)  # one try per challenge
        if not hmac.compare_digest(fields[0x75], expected):
            return NO_SUCH_OBJECT
        self._unlocked = True
        return _tlv(0x75, hmac.new(self.state.access_key, fields[0x74], "sha1").digest()) + OK

    def _put(self, p1: int, p2: int, data: bytes) -> bytes:
        fields = _parse(data)
        found = dict(fields)
        name, key = found.get(0x71), found.get(0x73)
        if not name or len(name) > 64 or key is None or len(key) < 3:
            return WRONG_SYNTAX
        kind, digits, secret = key[0], key[1], key[2:]
        if kind & 0xF0 not in (0x10, 0x20) or kind & 0x0F not in _HASHES or not 6 <= digits <= 8:
            return WRONG_SYNTAX
        if name not in self.state.credentials and len(self.state.credentials) >= self.state.capacity:
            return NO_SPACE
        counter = int.from_bytes(found[0x7A], "big") if 0x7A in found else 0
        touch = bool(found.get(0x78, b"\x00")[0] & 0x02)
        self.state.credentials[name] = Credential(kind, digits, secret, touch, counter)
        self._notify("put")
        return OK

    def _delete(self, p1: int, p2: int, data: bytes) -> bytes:
        name = dict(_parse(data)).get(0x71)
        if name not in self.state.credentials:
            return NO_SUCH_OBJECT
        del self.state.credentials[name]
        self._notify("delete")
        return OK

    def _set_code(self, p1: int, p2: int, data: bytes) -> bytes:
        fields = dict(_parse(data))
        key = fields.get(0x73)
        if key is None:
            return WRONG_SYNTAX
        if not key:
            self.state.access_key = None
            self._notify("password removed")
            return OK
        if len(key) != 17 or 0x74 not in fields or 0x75 not in fields:
            return WRONG_SYNTAX
        if not hmac.compare_digest(hmac.new(key[1:], fields[0x74], "sha1").digest(), fields[0x75]):
            return NO_SUCH_OBJECT
        self.state.access_key = key[1:]
        self._notify("password set")
        return OK

    def _reset(self, p1: int, p2: int, data: bytes) -> bytes:
        if (p1, p2) != (0xDE, 0xAD):
            return b"\x6A\x86"
        self.state.credentials.clear()
        self.state.access_key = None
        self.state.salt = os.urandom(8)
        return OK

    def _list(self, p1: int, p2: int, data: bytes) -> bytes:
        answer = b"".join(_tlv(0x72, bytes((c.kind,)) + name) for name, c in self.state.credentials.items())
        return self._chunk(answer)

    def _answer(self, name: bytes, credential: Credential, challenge: bytes, truncated: bool) -> bytes:
        if credential.kind & 0xF0 == 0x10:  # HOTP: the counter is the challenge, and it moves on
            challenge = credential.counter.to_bytes(8, "big")
            credential.counter += 1
        mac = hmac.new(credential.key, challenge, _HASHES[credential.kind & 0x0F]).digest()
        if not truncated:
            return _tlv(0x75, bytes((credential.digits,)) + mac)
        offset = mac[-1] & 0x0F
        return _tlv(0x76, bytes((credential.digits,)) + mac[offset:offset + 4])

    def _calculate(self, p1: int, p2: int, data: bytes) -> bytes:
        fields = dict(_parse(data))
        name = fields.get(0x71)
        if name is None or 0x74 not in fields:
            return WRONG_SYNTAX
        credential = self.state.credentials.get(name)
        if credential is None:
            return NO_SUCH_OBJECT
        return self._answer(name, credential, fields[0x74], p2 == 0x01) + OK  # touch: as if touched

    def _calculate_all(self, p1: int, p2: int, data: bytes) -> bytes:
        challenge = dict(_parse(data)).get(0x74)
        if challenge is None:
            return WRONG_SYNTAX
        answer = b""
        for name, credential in self.state.credentials.items():
            answer += _tlv(0x71, name)
            if credential.kind & 0xF0 == 0x10:
                answer += _tlv(0x77, bytes((credential.digits,)))
            elif credential.touch:
                answer += _tlv(0x7C, bytes((credential.digits,)))
            else:
                answer += self._answer(name, credential, challenge, p2 == 0x01)
        return self._chunk(answer)

    def _notify(self, event: str) -> None:
        if self.state_path:
            _save(self.state, self.state_path)
        if self.on_change:
            self.on_change(event)

    def describe(self) -> str:
        names = ", ".join(n.decode(errors="replace") for n in self.state.credentials) or "no credentials"
        locked = "password set" if self.state.access_key else "no password"
        return f"[OATH {'.'.join(map(str, self.state.version))}] {locked}; {names}"


def _save(state: OathState, path: Path) -> None:
    """The applet's memory as JSON (keys in hex: a test tool), written 0600 and atomically."""
    data = {
        "version": list(state.version), "salt": state.salt.hex(), "capacity": state.capacity,
        "access_key": state.access_key.hex() if state.access_key else None,
        "credentials": {name.hex(): {"kind": c.kind, "digits": c.digits, "key": c.key.hex(), "touch": c.touch,
                                     "counter": c.counter} for name, c in state.credentials.items()},
    }
    write_private(path, json.dumps(data, indent=1).encode(), force=True)


def _load(path: Path) -> OathState:
    data = json.loads(path.read_text())
    credentials = {bytes.fromhex(name): Credential(c["kind"], c["digits"], bytes.fromhex(c["key"]), c["touch"],
                                                   c["counter"]) for name, c in data["credentials"].items()}
    return OathState(tuple(data["version"]), bytes.fromhex(data["salt"]),
                     bytes.fromhex(data["access_key"]) if data["access_key"] else None, credentials,
                     data["capacity"])
