"""A contract server for Okta's Users and Factors API (custom OTP factors), over HTTPS on loopback.

No Okta org is reachable from the test suite, so the Okta registrar is tested against this server. It
follows these parts of Okta's API reference field by field and refuses anything else:
  - API tokens: `Authorization: SSWS <token>`; E0000011 "Invalid token provided" (401) otherwise.
  - Users: `GET /api/v1/users/{id|login}` and `GET /api/v1/users/me` (the token's administrator); E0000007
    "Not found: Resource not found" (404).
  - Factors: list `GET /api/v1/users/{userId}/factors`; enroll a Custom HOTP factor
    `POST /api/v1/users/{userId}/factors?activate=false|true` with `factorType` "token:hotp", `provider`
    "CUSTOM", `factorProfileId` and `profile.sharedSecret` (in the profile's encoding; E0000001 "Api
    validation failed" (400) otherwise, and when the user has that factor already); activate
    `POST …/factors/{factorId}/lifecycle/activate` with `passCode` (E0000068 "Invalid Passcode/Answer",
    403, on a wrong code); delete `DELETE …/factors/{factorId}` (204).
  - Errors {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses": [{"errorSummary"}]};
    E0000006 (403) for an administrator without the right; E0000047 (429) with X-Rate-Limit-Reset.
The factor profile (what the factor computes) is set in the admin console; here `FactorProfile`.

Every fixture is in this one file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import http.server
import json
import re
import secrets
import struct
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.tls import HttpsServer

API_TOKEN = "00aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789-_"  # noqa: S105 (a test fixture)
PROFILE_ID = "fpr1customhotp0000001"
DIGESTS = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}


def error(code: str, summary: str, causes: tuple[str, ...] = ()) -> dict:
    return {"errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oae" + secrets.token_hex(8),
            "errorCauses": [{"errorSummary": cause} for cause in causes]}


@dataclass
class FactorProfile:
    """What the admin console's custom OTP settings say the factor computes."""

    totp: bool = True
    algorithm: str = "SHA1"
    digits: int = 6
    interval: int = 30
    encoding: str = "base32"

    def decode(self, text: str) -> bytes:
        if self.encoding == "hex":
            return bytes.fromhex(text)
        if self.encoding == "base64":
            return base64.b64decode(text, validate=True)
        return base64.b32decode(text + "=" * (-len(text) % 8))

    def accepts(self, secret: bytes, counter: int, code: str) -> int | None:
        """The counter the code belongs to (TOTP: within one step of now; HOTP: up to 10 ahead), or None."""
        candidates = ([int(time.time() // self.interval) + d for d in (-1, 0, 1)] if self.totp
                      else range(counter, counter + 10))
        for value in candidates:
            mac = hmac.new(secret, struct.pack(">Q", value), DIGESTS[self.algorithm]).digest()
            offset = mac[-1] & 0x0F
            number = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** self.digits
            if f"{number:0{self.digits}d}" == code:
                return value
        return None


@dataclass
class Org:
    users: dict[str, dict] = field(default_factory=dict)  # id -> user
    factors: dict[str, dict] = field(default_factory=dict)  # factor id -> factor (secret kept aside)
    profile: FactorProfile = field(default_factory=FactorProfile)
    allowed: bool = True  # the token's administrator may manage factors
    throttle: int = 0  # answer the next N requests with 429
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_user(self, login: str, first: str, last: str) -> dict:
        user = {"id": "00u" + secrets.token_hex(8), "status": "ACTIVE",
                "profile": {"login": login, "email": login, "firstName": first, "lastName": last}}
        self.users[user["id"]] = user
        return user

    def factors_of(self, login: str) -> list[dict]:
        user = next(u for u in self.users.values() if u["profile"]["login"] == login)
        return [f for f in self.factors.values() if f["_user"] == user["id"]]


def public(factor: dict) -> dict:
    return {k: v for k, v in factor.items() if not k.startswith("_")}


class OktaHandler(http.server.BaseHTTPRequestHandler):
    org: Org

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: object = None, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _dispatch(self) -> None:
        split = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(split.query))
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Authorization") != f"SSWS {API_TOKEN}":
            self._send(401, error("E0000011", "Invalid token provided"))
            return
        with self.org.lock:
            self.org.requests.append((self.command, urllib.parse.unquote(split.path)))
            throttled = self.org.throttle > 0
            self.org.throttle -= 1 if throttled else 0
        if throttled:
            self._send(429, error("E0000047", "API call exceeded rate limit due to too many requests."),
                       {"X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "0",
                        "X-Rate-Limit-Reset": str(int(time.time()) + 1)})
            return
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            self._send(400, error("E0000003", "The request body was not well-formed."))
            return
        for pattern, method, handler in (
                (r"/api/v1/users/me", "GET", self.me),
                (r"/api/v1/users/([^/]+)", "GET", self.user),
                (r"/api/v1/users/([^/]+)/factors", "GET", self.list_factors),
                (r"/api/v1/users/([^/]+)/factors", "POST", self.enroll),
                (r"/api/v1/users/([^/]+)/factors/([^/]+)/lifecycle/activate", "POST", self.activate),
                (r"/api/v1/users/([^/]+)/factors/([^/]+)", "DELETE", self.delete)):
            match = re.fullmatch(pattern, split.path)
            if match and self.command == method:
                handler(query, body, *(urllib.parse.unquote(g) for g in match.groups()))
                return
        self._send(404, error("E0000007", "Not found: Resource not found"))

    do_GET = do_POST = do_DELETE = _dispatch  # noqa: N815 (http.server's naming)

    def _user(self, key: str) -> dict | None:
        return self.org.users.get(key) or next(
            (u for u in self.org.users.values() if u["profile"]["login"].lower() == key.lower()), None)

    def _may_manage(self) -> bool:
        if not self.org.allowed:
            self._send(403, error("E0000006", "You do not have permission to perform the requested action"))
        return self.org.allowed

    def me(self, query, body) -> None:
        self._send(200, {"id": "00uadmin", "status": "ACTIVE", "profile": {"login": "admin@example.com"}})

    def user(self, query, body, key) -> None:
        found = self._user(key)
        if found is None:
            self._send(404, error("E0000007", f"Not found: Resource not found: {key} (User)"))
            return
        self._send(200, found)

    def list_factors(self, query, body, user_id) -> None:
        if self._user(user_id) is None:
            self._send(404, error("E0000007", "Not found: Resource not found"))
            return
        self._send(200, [public(f) for f in self.org.factors.values() if f["_user"] == user_id])

    def enroll(self, query, body, user_id) -> None:
        if self._user(user_id) is None:
            self._send(404, error("E0000007", "Not found: Resource not found"))
            return
        if not self._may_manage():
            return
        fields = {"factorType", "provider", "factorProfileId", "profile"}
        if not isinstance(body, dict) or set(body) - fields or body.get("factorType") != "token:hotp" \
                or body.get("provider") != "CUSTOM" or body.get("factorProfileId") != PROFILE_ID \
                or not isinstance(body.get("profile"), dict) or set(body["profile"]) != {"sharedSecret"}:
            self._send(400, error("E0000001", "Api validation failed: factor", ("factorProfileId: invalid",)))
            return
        try:
            secret = self.org.profile.decode(str(body["profile"]["sharedSecret"]))
        except (ValueError, binascii.Error):
            self._send(400, error("E0000001", "Api validation failed: sharedSecret",
                                  (f"sharedSecret: not {self.org.profile.encoding}",)))
            return
        if any(f["_user"] == user_id for f in self.org.factors.values()):
            self._send(400, error("E0000001", "Api validation failed: factorType",
                                  ("A factor of this type is already set up.",)))
            return
        active = query.get("activate") == "true"
        factor = {"id": "chf" + secrets.token_hex(8), "factorType": "token:hotp", "provider": "CUSTOM",
                  "vendorName": "Custom OTP", "factorProfileId": PROFILE_ID,
                  "status": "ACTIVE" if active else "PENDING_ACTIVATION", "profile": {},
                  "_user": user_id, "_secret": secret, "_counter": 0}
        self.org.factors[factor["id"]] = factor
        self._send(200, public(factor))

    def activate(self, query, body, user_id, factor_id) -> None:
        factor = self.org.factors.get(factor_id)
        if factor is None or factor["_user"] != user_id:
            self._send(404, error("E0000007", "Not found: Resource not found"))
            return
        code = body.get("passCode") if isinstance(body, dict) else None
        matched = self.org.profile.accepts(factor["_secret"], factor["_counter"], str(code or ""))
        if matched is None:
            self._send(403, error("E0000068", "Invalid Passcode/Answer", ("Your passcode doesn't match our records. "
                                                                          "Please try again.",)))
            return
        factor["_counter"], factor["status"] = matched + 1, "ACTIVE"
        self._send(200, public(factor))

    def delete(self, query, body, user_id, factor_id) -> None:
        if not self._may_manage():
            return
        factor = self.org.factors.get(factor_id)
        if factor is None or factor["_user"] != user_id:
            self._send(404, error("E0000007", "Not found: Resource not found"))
            return
        del self.org.factors[factor_id]
        self._send(204)


class OktaContractServer(HttpsServer):
    def __init__(self, folder: Path) -> None:
        self.org = Org()
        handler = type("Handler", (OktaHandler,), {"org": self.org})
        super().__init__(handler, folder)
        self.folder = folder

    def registrar_file(self, name: str = "okta", token: str = API_TOKEN, **extra: str) -> Path:
        token_file = self.folder / f"{name}-token"
        token_file.write_text(token + "\n")
        token_file.chmod(0o600)
        values = {"system": "okta", "org-url": self.url, "api-token-file": str(token_file),
                  "factor-profile-id": PROFILE_ID, "ca-file": str(self.ca), **extra}
        path = self.folder / "registrars.toml"
        text = path.read_text() if path.exists() else ""
        path.write_text(text + f"[{name}]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()))
        return path
