"""A contract server for Microsoft Graph's hardware OATH API and the Entra sign-in it needs.

No tenant is reachable from the test suite, so Entra registration is tested against this
server, which follows the published request and response shapes field by field and refuses
anything else. The shapes come from these API reference pages (microsoft-graph-docs, beta):
  - api-reference/beta/api/authenticationmethoddevice-post-hardwareoathdevices.md (create, 201)
  - api-reference/beta/resources/hardwareoathtokenauthenticationmethoddevice.md (the device object)
  - api-reference/beta/api/authenticationmethoddevice-list-hardwareoathdevices.md (list, $filter)
  - api-reference/beta/api/hardwareoathtokenauthenticationmethoddevice-delete.md (delete, 204)
  - api-reference/beta/api/hardwareoathauthenticationmethod-activate.md (activate, 204)
  - api-reference/v1.0/api/user-get.md (GET /users/{id | userPrincipalName}?$select=...)
  - Microsoft Graph error responses (error.code / error.message; 429 and 503 with Retry-After)
and, for the sign-in, the Microsoft identity platform's OpenID configuration, client-credentials
and device-code (RFC 8628) token endpoints, as MSAL calls them.

Every fixture (the field rules, the error bodies) is in this one file.
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
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.tls import HttpsServer

TENANT = "contoso.onmicrosoft.com"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
CLIENT_SECRET = "contract-client-secret"  # noqa: S105 (a test fixture)
POLICY = "Policy.ReadWrite.AuthenticationMethod"
DEVICES = "/beta/directory/authenticationMethodDevices/hardwareOathDevices"

# -- fixtures: the create request's fields (post-hardwareoathdevices.md) --
REQUIRED_FIELDS = {"serialNumber": str, "manufacturer": str, "model": str, "secretKey": str,
                   "timeIntervalInSeconds": int}
OPTIONAL_FIELDS = {"hashFunction": str, "displayName": str, "assignTo": dict}
HASH_FUNCTIONS = ("hmacsha1", "hmacsha256")
INTERVALS = (30, 60)
MAX_SECRET = 128
BASE32 = re.compile(r"^[A-Z2-7]+=*$")


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message, "innerError": {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S"), "request-id": str(uuid.uuid4()),
        "client-request-id": str(uuid.uuid4())}}}


@dataclass
class Planned:
    """A failure to answer with, the next `times` times `route` is called."""

    status: int
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


@dataclass
class Directory:
    users: dict[str, dict] = field(default_factory=dict)  # upn -> user
    devices: dict[str, dict] = field(default_factory=dict)  # id -> device (with its secret, never returned)
    method_enabled: bool = True
    granted: set[str] = field(default_factory=lambda: {"Policy.ReadWrite.AuthenticationMethod",
                                                       "UserAuthenticationMethod.ReadWrite.All", "User.Read.All"})
    tokens: dict[str, float] = field(default_factory=dict)  # access token -> expiry
    device_codes: dict[str, int] = field(default_factory=dict)  # device code -> polls left before approval
    plan: dict[str, list[Planned]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, route) seen
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_user(self, upn: str, display: str) -> dict:
        user = {"id": str(uuid.uuid4()), "displayName": display, "userPrincipalName": upn}
        self.users[upn.lower()] = user
        return user

    def fail_next(self, route: str, status: int, code: str = "", message: str = "", times: int = 1,
                  retry_after: int | None = None) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        body = error_body(code, message) if code or message else None
        self.plan.setdefault(route, []).append(Planned(status, body, headers, times))

    def expire_tokens(self) -> None:
        for token in self.tokens:
            self.tokens[token] = 0.0

    def device(self, serial: str) -> dict | None:
        return next((d for d in self.devices.values() if d["serialNumber"] == serial), None)


def totp(secret: bytes, at: float, period: int, digest) -> str:
    mac = hmac.new(secret, struct.pack(">Q", int(at // period)), digest).digest()
    offset = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def public(device: dict) -> dict:
    """The device as Graph returns it: secretKey is always null."""
    shown = {k: v for k, v in device.items() if not k.startswith("_")}
    return {"@odata.type": "#microsoft.graph.hardwareOathTokenAuthenticationMethodDevice", **shown, "secretKey": None}


class GraphHandler(http.server.BaseHTTPRequestHandler):
    directory: Directory
    base_url: str

    def log_message(self, *args):
        pass

    # -- plumbing --

    def _send(self, status: int, body: dict | None = None, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _planned(self, route: str) -> bool:
        with self.directory.lock:
            self.directory.requests.append((self.command, route))
            queue = self.directory.plan.get(route) or []
            if not queue:
                return False
            planned = queue[0]
            planned.times -= 1
            if planned.times <= 0:
                queue.pop(0)
        self._send(planned.status, planned.body, planned.headers)
        return True

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ")
        expiry = self.directory.tokens.get(token)
        if not header.startswith("Bearer ") or expiry is None:
            self._send(401, error_body("InvalidAuthenticationToken", "Access token validation failure."))
            return False
        if expiry < time.time():
            self._send(401, error_body("InvalidAuthenticationToken", "Lifetime validation failed, the token is "
                                                                     "expired."))
            return False
        return True

    def _needs(self, permission: str) -> bool:
        if permission in self.directory.granted:
            return True
        self._send(403, error_body("Authorization_RequestDenied", "Insufficient privileges to complete the "
                                                                  "operation."))
        return False

    # -- routes --

    def do_GET(self):  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == f"/{TENANT}/v2.0/.well-known/openid-configuration":
            base = f"{self.base_url}/{TENANT}"
            return self._send(200, {"issuer": f"{base}/v2.0", "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                                    "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode"})
        if url.path.startswith("/v1.0/users/"):
            if self._planned("user") or not self._authorized() or not self._needs("User.Read.All"):
                return None
            upn = urllib.parse.unquote(url.path.removeprefix("/v1.0/users/"))
            user = self.directory.users.get(upn.lower())
            if user is None:
                return self._send(404, error_body("Request_ResourceNotFound", f"Resource '{upn}' does not exist or "
                                                  "one of its queried reference-property objects are not present."))
            selected = [s for s in query.get("$select", "id,displayName,userPrincipalName").split(",") if s]
            return self._send(200, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
                                    **{key: user.get(key) for key in selected}})
        if url.path == DEVICES:
            if self._planned("list") or not self._authorized():
                return None
            if not self._needs("Policy.ReadWrite.AuthenticationMethod"):
                return None
            wanted = re.fullmatch(r"serialNumber eq '((?:[^']|'')*)'", query.get("$filter", ""))
            devices = list(self.directory.devices.values())
            if "$filter" in query:
                if wanted is None:
                    return self._send(400, error_body("BadRequest", "Invalid filter clause"))
                serial = wanted.group(1).replace("''", "'")
                devices = [d for d in devices if d["serialNumber"] == serial]
            return self._send(200, {"@odata.context": "https://graph.microsoft.com/beta/$metadata#directory/"
                                                      "authenticationMethodDevices/hardwareOathDevices",
                                    "value": [public(d) for d in devices]})
        return self._send(404, error_body("UnknownError", "no such route in the contract"))

    def do_DELETE(self):  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        if not url.path.startswith(DEVICES + "/"):
            return self._send(404, error_body("UnknownError", "no such route in the contract"))
        if self._planned("delete") or not self._authorized() or not self._needs(POLICY):
            return None
        device_id = urllib.parse.unquote(url.path.removeprefix(DEVICES + "/"))
        if self.directory.devices.pop(device_id, None) is None:
            return self._send(404, error_body("Request_ResourceNotFound", "Resource not found."))
        return self._send(204)

    def do_POST(self):  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        if url.path == f"/{TENANT}/oauth2/v2.0/token":
            return self._token(dict(urllib.parse.parse_qsl(self._body().decode())))
        if url.path == f"/{TENANT}/oauth2/v2.0/devicecode":
            form = dict(urllib.parse.parse_qsl(self._body().decode()))
            if form.get("client_id") != CLIENT_ID:
                return self._send(400, {"error": "unauthorized_client", "error_description": "AADSTS700016: "
                                        "Application not found in the directory."})
            code = secrets.token_urlsafe(16)
            self.directory.device_codes[code] = 1  # one "authorization_pending" before the user has signed in
            return self._send(200, {"device_code": code, "user_code": "ABCD-EFGH",
                                    "verification_uri": "https://microsoft.com/devicelogin", "expires_in": 900,
                                    "interval": 1, "message": "To sign in, use a web browser to open the page "
                                    "https://microsoft.com/devicelogin and enter the code ABCD-EFGH to authenticate."})
        if url.path == DEVICES:
            return self._create()
        match = re.fullmatch(r"/beta/users/([^/]+)/authentication/hardwareOathMethods/([^/]+)/activate", url.path)
        if match:
            return self._activate(urllib.parse.unquote(match.group(1)), urllib.parse.unquote(match.group(2)))
        return self._send(404, error_body("UnknownError", "no such route in the contract"))

    def _token(self, form: dict) -> None:
        if self._planned("token"):
            return None
        grant = form.get("grant_type")
        if form.get("client_id") != CLIENT_ID:
            return self._send(400, {"error": "unauthorized_client",
                                    "error_description": "AADSTS700016: Application not found in the directory."})
        if grant == "client_credentials":
            secret_ok = form.get("client_secret") == CLIENT_SECRET
            assertion_ok = form.get("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:" \
                "jwt-bearer" and form.get("client_assertion", "").count(".") == 2
            if not (secret_ok or assertion_ok):
                return self._send(401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid "
                                        "client secret provided. Ensure the secret being sent in the request is the "
                                        "client secret value, not the client secret ID."})
            if "https://graph.microsoft.com/.default" not in form.get("scope", "").split():
                return self._send(400, {"error": "invalid_scope", "error_description": "AADSTS1002012: scope"})
        elif grant == "urn:ietf:params:oauth:grant-type:device_code":
            left = self.directory.device_codes.get(form.get("device_code", ""))
            if left is None:
                return self._send(400, {"error": "expired_token", "error_description": "AADSTS70020: expired"})
            if left > 0:
                self.directory.device_codes[form["device_code"]] = left - 1
                return self._send(400, {"error": "authorization_pending", "error_description": "AADSTS70016: "
                                        "OAuth 2.0 device flow error. Authorization is pending."})
        elif grant == "refresh_token":
            pass
        else:
            return self._send(400, {"error": "unsupported_grant_type", "error_description": "AADSTS70003"})
        token = secrets.token_urlsafe(24)
        self.directory.tokens[token] = time.time() + 3600
        answer = {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token}
        if grant != "client_credentials":
            claims = {"oid": str(uuid.uuid4()), "preferred_username": "admin@" + TENANT, "tid": TENANT,
                      "iss": f"{self.base_url}/{TENANT}/v2.0", "aud": CLIENT_ID, "sub": "admin",
                      "exp": int(time.time()) + 3600, "iat": int(time.time())}
            payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            answer.update(refresh_token=secrets.token_urlsafe(24), scope=form.get("scope", ""),
                          id_token=f"eyJhbGciOiJub25lIn0.{payload}.",
                          client_info=base64.urlsafe_b64encode(json.dumps(
                              {"uid": claims["oid"], "utid": TENANT}).encode()).rstrip(b"=").decode())
        return self._send(200, answer)

    def _create(self) -> None:
        if self._planned("create") or not self._authorized() or not self._needs(POLICY):
            return None
        if not self.directory.method_enabled:
            return self._send(400, error_body("invalidRequest", "Hardware OATH authentication method is not enabled "
                                                                "for this tenant."))
        try:
            body = json.loads(self._body())
        except ValueError:
            return self._send(400, error_body("BadRequest", "Unable to read JSON request payload."))
        problem = self._field_problem(body)
        if problem:
            return self._send(400, error_body("BadRequest", problem))
        if self.directory.device(body["serialNumber"]) is not None:
            return self._send(409, error_body("conflictingObjects", "A hardware OATH token with this serial number "
                                                                     "already exists."))
        assigned = None
        if "assignTo" in body:
            if not body.get("assignTo", {}).get("id") or set(body["assignTo"]) != {"id"}:
                return self._send(400, error_body("BadRequest", "assignTo must be an identity with an id"))
            if "UserAuthenticationMethod.ReadWrite.All" not in self.directory.granted:
                return self._needs("UserAuthenticationMethod.ReadWrite.All")
            user = next((u for u in self.directory.users.values() if u["id"] == body["assignTo"]["id"]), None)
            if user is None:
                return self._send(400, error_body("BadRequest", "The user in assignTo does not exist."))
            assigned = {"id": user["id"], "displayName": user["displayName"]}
        device = {"id": str(uuid.uuid4()), "displayName": body.get("displayName"), "serialNumber": body["serialNumber"],
                  "manufacturer": body["manufacturer"], "model": body["model"],
                  "timeIntervalInSeconds": body["timeIntervalInSeconds"],
                  "status": "assigned" if assigned else "available", "lastUsedDateTime": None,
                  "assignedTo": assigned, "hashFunction": body.get("hashFunction", "hmacsha1"),
                  "_secret": body["secretKey"]}
        self.directory.devices[device["id"]] = device
        return self._send(201, public(device))

    @staticmethod
    def _field_problem(body: object) -> str | None:
        if not isinstance(body, dict):
            return "The request body must be a JSON object."
        for name in body:
            if name not in REQUIRED_FIELDS and name not in OPTIONAL_FIELDS:
                return f"Invalid property '{name}' for hardwareOathTokenAuthenticationMethodDevice."
        for name, kind in {**REQUIRED_FIELDS, **OPTIONAL_FIELDS}.items():
            if name in REQUIRED_FIELDS and name not in body:
                return f"The property '{name}' is required."
            if name in body and (not isinstance(body[name], kind) or isinstance(body[name], bool)):
                return f"Cannot convert the value of property '{name}' to {kind.__name__}."
        secret = body["secretKey"]
        if len(secret) > MAX_SECRET or not BASE32.match(secret):
            return "secretKey must be base32 of at most 128 characters."
        if body["timeIntervalInSeconds"] not in INTERVALS:
            return "timeIntervalInSeconds must be 30 or 60."
        if body.get("hashFunction", "hmacsha1") not in HASH_FUNCTIONS:
            return "Requested value is not a valid hardwareOathTokenHashFunction (hmacsha1, hmacsha256)."
        for name in ("serialNumber", "manufacturer", "model"):
            if not body[name].strip():
                return f"The property '{name}' cannot be empty."
        return None

    def _activate(self, user_id: str, method_id: str) -> None:
        if self._planned("activate") or not self._authorized():
            return None
        if not self._needs("UserAuthenticationMethod.ReadWrite.All"):
            return None
        try:
            body = json.loads(self._body())
        except ValueError:
            return self._send(400, error_body("BadRequest", "Unable to read JSON request payload."))
        if not isinstance(body, dict) or set(body) - {"verificationCode", "displayName"} or \
                not isinstance(body.get("verificationCode"), str):
            return self._send(400, error_body("BadRequest", "verificationCode (a string) is required; "
                                                            "displayName is the only other parameter."))
        device = self.directory.devices.get(method_id)
        if device is None or (device["assignedTo"] or {}).get("id") != user_id:
            return self._send(404, error_body("itemNotFound", "The hardware OATH method was not found for this "
                                                              "user."))
        code = body["verificationCode"]
        if not re.fullmatch(r"\d{6}", code):
            return self._send(400, error_body("invalidRequest", "The verification code must be 6 digits."))
        secret = base64.b32decode(device["_secret"] + "=" * (-len(device["_secret"]) % 8))
        digest = hashlib.sha256 if device["hashFunction"] == "hmacsha256" else hashlib.sha1
        period = device["timeIntervalInSeconds"]
        now = time.time()
        # Entra accepts a day of drift on activation; the contract checks two steps either way, which
        # keeps a deliberately wrong code from matching by chance.
        if not any(hmac.compare_digest(totp(secret, now + step * period, period, digest), code)
                   for step in range(-2, 3)):
            return self._send(400, error_body("invalidRequest", "The verification code is invalid."))
        device["status"] = "activated"
        return self._send(204)


class GraphContractServer(HttpsServer):
    def __init__(self, folder: Path) -> None:
        self.directory = Directory()
        handler = type("Handler", (GraphHandler,), {"directory": self.directory, "base_url": ""})
        super().__init__(handler, folder)
        handler.base_url = self.url
        self.folder = folder

    def registrar_file(self, sign_in: str = "client-secret", name: str = "entra", **extra: str) -> Path:
        secret_file = self.folder / "client-secret"
        secret_file.write_text(CLIENT_SECRET + "\n")
        secret_file.chmod(0o600)
        values = {"system": "entra", "tenant": TENANT, "client-id": CLIENT_ID, "sign-in": sign_in,
                  "graph-url": self.url, "login-url": self.url, "ca-file": str(self.ca),
                  "manufacturer": "Token2", "token-cache": str(self.folder / "entra.cache"), **extra}
        if sign_in == "client-secret":
            values.setdefault("client-secret-file", str(secret_file))
        path = self.folder / "registrars.toml"
        text = path.read_text() if path.exists() else ""
        path.write_text(text + f"[{name}]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()))
        return path


def decode_secret(device: dict) -> bytes:
    try:
        return base64.b32decode(device["_secret"] + "=" * (-len(device["_secret"]) % 8))
    except binascii.Error:
        return b""
