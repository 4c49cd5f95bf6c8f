"""A contract server for Duo's Admin API (users and hardware tokens), over HTTPS on loopback.

No Duo account is reachable from the test suite, so the Duo registrar is tested against this server. It
follows these sections of Duo's Admin API reference field by field and refuses anything else:
  - "Request Authentication": HTTP Basic with the integration key and the hex HMAC of the canonical request,
    a `Date` header within 300 s of the server's clock (40105 otherwise). The expected signature is computed
    with Duo's own Python client (`duo_client.client.sign`, signature version 5) — the judge, not our code.
  - "Retrieve Users" (GET /admin/v1/users?username=): a list of 0 or 1 users.
  - "Retrieve Hardware Tokens" (GET /admin/v1/tokens?type=&serial=, or limit/offset): a list of tokens.
  - "Create Hardware Token" (POST /admin/v1/tokens: type h6|h8|t6|t8, serial, secret in hex, counter for
    HOTP, totp_step for TOTP; 400 for a type and serial that exist).
  - "Resync HOTP Token" (POST /admin/v1/tokens/[token_id]/resync: code1, code2, code3 consecutive).
  - "Delete Hardware Token" (DELETE /admin/v1/tokens/[token_id]).
  - "Associate Hardware Token with User" (POST /admin/v1/users/[user_id]/tokens: token_id).
  - Responses {"stat": "OK", "response": ...} and {"stat": "FAIL", "code", "message", "message_detail"};
    permissions "Grant read resource" (reads) and "Grant write resource" (writes), 40301 without them; 429
    (42901) when rate limited.

Every fixture (the field rules, the error bodies) is in this one file.
"""

from __future__ import annotations

import email.utils
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

from duo_client.client import sign

from tests.support.tls import HttpsServer

IKEY = "DIWJ8X6AEYOR5OMC6TQ1"
SKEY = "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep"  # noqa: S105 (a test fixture)
READ, WRITE = "Grant read resource", "Grant write resource"
TYPES = {"h6", "h8", "t6", "t8"}
STEPS = {"30", "60"}
MAX_SKEW = 300  # seconds between the Date header and the server's clock
HEX = re.compile(r"^[0-9a-fA-F]+$")


def fail(code: int, message: str, detail: str = "") -> dict:
    return {"stat": "FAIL", "code": code, "message": message, **({"message_detail": detail} if detail else {})}


@dataclass
class Planned:
    status: int
    body: dict
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


@dataclass
class Account:
    """What the Duo account holds, and what the tests can make it do."""

    users: dict[str, dict] = field(default_factory=dict)  # user_id -> user
    tokens: dict[str, dict] = field(default_factory=dict)  # token_id -> token (secret and counter kept aside)
    granted: set[str] = field(default_factory=lambda: {READ, WRITE})
    plan: dict[str, list[Planned]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path) seen, signed correctly
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_user(self, username: str, realname: str = "") -> dict:
        user = {"user_id": "DU" + secrets.token_hex(9).upper(), "username": username, "realname": realname,
                "status": "active", "tokens": []}
        self.users[user["user_id"]] = user
        return user

    def fail_next(self, route: str, status: int, code: int, message: str, times: int = 1,
                  retry_after: int | None = None) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.plan.setdefault(route, []).append(Planned(status, fail(code, message), headers, times))

    def token(self, serial: str) -> dict | None:
        return next((t for t in self.tokens.values() if t["serial"] == serial), None)


def hotp(secret: bytes, counter: int, digits: int) -> str:
    mac = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** digits:0{digits}d}"


def public(token: dict, account: Account) -> dict:
    shown = {k: v for k, v in token.items() if not k.startswith("_")}
    shown["users"] = [{k: u[k] for k in ("user_id", "username", "realname")}
                      for u in account.users.values() if token["token_id"] in u["tokens"]]
    return shown


class DuoHandler(http.server.BaseHTTPRequestHandler):
    account: Account
    host: str = "127.0.0.1"

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _ok(self, response: object) -> None:
        self._send(200, {"stat": "OK", "response": response})

    # -- authentication, as the Admin API reference describes it, judged by duo_client --

    def _authenticated(self, path: str, params: dict[str, list[str]], body: str) -> bool:
        date = self.headers.get("Date", "")
        try:
            sent = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            self._send(401, fail(40105, "Invalid request timestamp"))
            return False
        if abs(sent - time.time()) > MAX_SKEW:
            self._send(401, fail(40105, "Invalid request timestamp"))
            return False
        expected = sign(IKEY, SKEY, self.command, self.host, path, date, 5, params, body=body,
                        digestmod=hashlib.sha512)
        given = self.headers.get("Authorization", "")
        if not given.startswith("Basic "):
            self._send(401, fail(40101, "Missing request credentials"))
            return False
        if not hmac.compare_digest(given, expected):
            self._send(401, fail(40103, "Invalid signature in request credentials"))
            return False
        return True

    def _planned(self, route: str) -> bool:
        with self.account.lock:
            queue = self.account.plan.get(route, [])
            if not queue:
                return False
            planned = queue[0]
            planned.times -= 1
            if planned.times <= 0:
                queue.pop(0)
        self._send(planned.status, planned.body, planned.headers)
        return True

    def _allowed(self, permission: str) -> bool:
        if permission in self.account.granted:
            return True
        self._send(403, fail(40301, "Access forbidden", f"This integration needs the '{permission}' permission"))
        return False

    def _dispatch(self) -> None:
        split = urllib.parse.urlsplit(self.path)
        path = split.path
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if self.command in ("POST", "PUT", "PATCH"):
            if raw and self.headers.get("Content-Type", "").split(";")[0] != "application/json":
                self._send(400, fail(40003, "Invalid request parameters", "the body is not JSON"))
                return
            signed_params: dict[str, list[str]] = {}
            body_text = raw
        else:
            signed_params, body_text = query, ""
        if not self._authenticated(path, signed_params, body_text):
            return
        try:
            fields = json.loads(raw) if raw else {}
        except ValueError:
            self._send(400, fail(40003, "Invalid request parameters", "the body is not JSON"))
            return
        if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
            self._send(400, fail(40003, "Invalid request parameters", "every field is a string"))
            return
        params = {key: values[-1] for key, values in query.items()}
        with self.account.lock:
            self.account.requests.append((self.command, path))
        route = self._route(path)
        if route is None:
            self._send(404, fail(40401, "Resource not found"))
            return
        name, args = route
        if self._planned(name):
            return
        getattr(self, "do_" + name)(params, fields, *args)

    def _route(self, path: str) -> tuple[str, tuple[str, ...]] | None:
        for pattern, method, name in (
                (r"/admin/v1/users", "GET", "users"),
                (r"/admin/v1/tokens", "GET", "tokens"),
                (r"/admin/v1/tokens", "POST", "create"),
                (r"/admin/v1/tokens/([^/]+)/resync", "POST", "resync"),
                (r"/admin/v1/tokens/([^/]+)", "DELETE", "delete"),
                (r"/admin/v1/users/([^/]+)/tokens", "POST", "assign")):
            match = re.fullmatch(pattern, path)
            if match and self.command == method:
                return name, tuple(urllib.parse.unquote(group) for group in match.groups())
        return None

    do_GET = do_POST = do_DELETE = _dispatch  # noqa: N815 (http.server's naming)

    # -- the endpoints --

    def do_users(self, params: dict, fields: dict) -> None:
        if not self._allowed(READ):
            return
        name = params.get("username", "").lower()
        self._ok([{k: v for k, v in user.items() if k != "tokens"} for user in self.account.users.values()
                  if user["username"].lower() == name])

    def do_tokens(self, params: dict, fields: dict) -> None:
        if not self._allowed(READ):
            return
        if "serial" in params or "type" in params:
            if not params.get("serial") or params.get("type") not in TYPES:
                self._send(400, fail(40002, "Invalid request parameters", "type and serial go together"))
                return
            found = [t for t in self.account.tokens.values()
                     if t["serial"] == params["serial"] and t["type"] == params["type"]]
        else:
            found = list(self.account.tokens.values())[:int(params.get("limit", "100"))]
        self._ok([public(token, self.account) for token in found])

    def do_create(self, params: dict, fields: dict) -> None:
        if not self._allowed(WRITE):
            return
        kind, serial, secret = fields.get("type"), fields.get("serial", ""), fields.get("secret", "")
        allowed = {"type", "serial", "secret", "counter" if str(kind).startswith("h") else "totp_step"}
        if kind not in TYPES or not serial or not HEX.fullmatch(secret) or len(secret) % 2 or set(fields) - allowed:
            self._send(400, fail(40002, "Invalid request parameters", ", ".join(sorted(set(fields) - allowed))
                                 or "type, serial and secret"))
            return
        if kind.startswith("t") and fields.get("totp_step", "30") not in STEPS:
            self._send(400, fail(40002, "Invalid request parameters", "totp_step"))
            return
        if kind.startswith("h") and not fields.get("counter", "0").isdigit():
            self._send(400, fail(40002, "Invalid request parameters", "counter"))
            return
        if any(t["serial"] == serial and t["type"] == kind for t in self.account.tokens.values()):
            self._send(400, fail(40002, "Invalid request parameters",
                                 "a token with this type and serial already exists"))
            return
        token = {"token_id": "DH" + secrets.token_hex(9).upper(), "type": kind, "serial": serial,
                 **({"totp_step": int(fields.get("totp_step", "30"))} if kind.startswith("t") else {}),
                 "_secret": bytes.fromhex(secret), "_counter": int(fields.get("counter", "0"))}
        self.account.tokens[token["token_id"]] = token
        self._ok(public(token, self.account))

    def do_resync(self, params: dict, fields: dict, token_id: str) -> None:
        if not self._allowed(WRITE):
            return
        token = self.account.tokens.get(token_id)
        if token is None or not token["type"].startswith("h"):
            self._send(404, fail(40401, "Resource not found"))
            return
        codes = [fields.get(f"code{n}", "") for n in (1, 2, 3)]
        digits = int(token["type"][1])
        for counter in range(token["_counter"], token["_counter"] + 1000):  # Duo scans ahead
            if all(hotp(token["_secret"], counter + n, digits) == code for n, code in enumerate(codes)):
                token["_counter"] = counter + 3
                self._ok("")
                return
        self._send(400, fail(40002, "Invalid request parameters", "the codes do not resync the token"))

    def do_delete(self, params: dict, fields: dict, token_id: str) -> None:
        if not self._allowed(WRITE):
            return
        self.account.tokens.pop(token_id, None)
        for user in self.account.users.values():
            if token_id in user["tokens"]:
                user["tokens"].remove(token_id)
        self._ok("")

    def do_assign(self, params: dict, fields: dict, user_id: str) -> None:
        if not self._allowed(WRITE):
            return
        user = self.account.users.get(user_id)
        if user is None or fields.get("token_id") not in self.account.tokens or set(fields) != {"token_id"}:
            self._send(404 if user is None else 400, fail(40401 if user is None else 40002,
                                                          "Resource not found" if user is None
                                                          else "Invalid request parameters"))
            return
        user["tokens"].append(fields["token_id"])
        self._ok("")


class DuoContractServer(HttpsServer):
    def __init__(self, folder: Path) -> None:
        self.account = Account()
        handler = type("Handler", (DuoHandler,), {"account": self.account})
        super().__init__(handler, folder)
        self.folder = folder

    @property
    def api_host(self) -> str:
        return self.url.removeprefix("https://")

    def registrar_file(self, name: str = "duo", skey: str = SKEY, **extra: str) -> Path:
        secret_file = self.folder / f"{name}-skey"
        secret_file.write_text(skey + "\n")
        secret_file.chmod(0o600)
        values = {"system": "duo", "api-host": self.api_host, "integration-key": IKEY,
                  "secret-key-file": str(secret_file), "ca-file": str(self.ca), **extra}
        path = self.folder / "registrars.toml"
        text = path.read_text() if path.exists() else ""
        path.write_text(text + f"[{name}]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()))
        return path
