"""Duo over its Admin API: find the user, create the hardware token with its secret, assign it to the user.

Sources: Duo's Admin API reference (users, hardware tokens: "Retrieve Hardware Tokens", "Create Hardware
Token", "Resync HOTP Token", "Delete Hardware Token", "Associate Hardware Token with User"; request
authentication) and Duo's own Python client (`duo_client/client.py`, `admin.py`), whose signing code the
tests use as the judge of ours.

Requests are signed as the current client signs them (signature version 5): the canonical request is the
`Date` header, the method, the API host in lower case, the path, the query parameters (sorted, each key and
value percent-encoded with only `A-Za-z0-9-._~` left as they are), the SHA-512 of the body (JSON with sorted
keys and no spaces, or empty) and the SHA-512 of the `X-Duo-*` headers (none here), joined by newlines;
the signature is its HMAC-SHA512 under the secret key, sent as `Authorization: Basic base64(ikey:hex)`.

Duo has no activation step for hardware tokens: one assigned to a user works at that user's next
sign-in, where Duo checks its codes (the Admin API offers no check of a code). Duo cannot tell which
seed a token holds either: a token already under the serial and assigned to this user is taken as an
earlier run's. An HOTP token found from an earlier run is resynchronised with three consecutive codes.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from otpburn.errors import RegistrationError, RegistrationProblem, Remedy
from otpburn.otp.hotp import hotp
from otpburn.otp.params import OtpParams, OtpType
from otpburn.registrars.accepts import DUO
from otpburn.registrars.base import (
    AskSecret,
    Enrollment,
    ExistingToken,
    Notify,
    RegistrarBase,
    Registration,
    UserRef,
)
from otpburn.registrars.http import UnreadableAnswerError, connect, one_line
from otpburn.registrars.settings import RegistrarSettings, secret

SYSTEM = "duo"
LABEL = "Duo's Admin API"
SIGNATURE_VERSION = 5
# The Admin API application's permissions each kind of call needs (Duo Admin Panel → Applications → Admin API).
READ, WRITE = "Grant read resource", "Grant write resource"
# Duo's error codes that mean something particular here.
_BAD_TIMESTAMP = 40105  # the Date header is too far from Duo's clock
_SIGN_IN_CODES = {40101, 40102, 40103, 40104, 40105}


def canonical_params(params: Mapping[str, str]) -> str:
    """Query parameters as Duo signs them: sorted, percent-encoded with only unreserved characters left."""
    pairs = sorted((quote(key, safe="~"), quote(value, safe="~")) for key, value in params.items())
    return "&".join(f"{key}={value}" for key, value in pairs)


def canonical_body(fields: Mapping[str, str]) -> str:
    """A POST's JSON body as Duo signs it (and as it is sent): sorted keys, no spaces."""
    return json.dumps(dict(fields), sort_keys=True, separators=(",", ":"))


def signature(skey: str, date: str, method: str, host: str, path: str, params: Mapping[str, str],
              body: str) -> str:
    """The hex HMAC-SHA512 of the canonical request (signature version 5, no X-Duo-* headers)."""
    canonical = "\n".join([date, method.upper(), host.lower(), path, canonical_params(params),
                           hashlib.sha512(body.encode()).hexdigest(), hashlib.sha512(b"").hexdigest()])
    return hmac.new(skey.encode(), canonical.encode(), hashlib.sha512).hexdigest()


def authorization(ikey: str, signed: str) -> str:
    return "Basic " + base64.b64encode(f"{ikey}:{signed}".encode()).decode("ascii")


def token_type(params: OtpParams) -> str:
    """Duo's name for the token type: h6/h8 (HOTP) or t6/t8 (TOTP) by the digits shown."""
    return ("h" if params.type is OtpType.HOTP else "t") + str(params.digits)


class DuoRegistrar(RegistrarBase):
    system = SYSTEM
    accepts = DUO

    def __init__(self, settings: RegistrarSettings, ask_secret: AskSecret | None = None,
                 notify: Notify | None = None) -> None:
        super().__init__(settings, ask_secret, notify)
        host = settings.text("api-host").removeprefix("https://").rstrip("/")
        self.ikey = settings.text("integration-key")
        self.http = connect(settings, f"https://{host}", label=LABEL, notify=self._note)
        self.host = (urlsplit(self.http.base_url).hostname or host).lower()  # signed without a port, as the client
        self._skey: str | None = None
        self._params: dict[str, OtpParams] = {}  # serial -> the seed registered this run (for an HOTP resync)

    # -- the interface --

    @property
    def server_label(self) -> str:
        return self.host

    @property
    def activates_unassigned(self) -> bool:
        return False

    def check(self) -> str:
        self._call("GET", "/admin/v1/tokens", "sign-in", READ, params={"limit": "1"})
        return self.host

    def _find_user(self, user: str) -> UserRef:
        found = self._call("GET", "/admin/v1/users", "user", READ, params={"username": user})
        entry = next((u for u in found if isinstance(u, dict)), None) if isinstance(found, list) else None
        if entry is None or not isinstance(entry.get("user_id"), str):
            raise RegistrationError(f"Duo knows no user {one_line(user, 120)!r} (nor an alias of that name)",
                                    system=SYSTEM, stage="user", problem=RegistrationProblem.USER_NOT_FOUND)
        return UserRef(str(entry["user_id"]), one_line(entry.get("username") or user, 120),
                       one_line(entry.get("realname") or "", 120))

    def _existing(self, enrollment: Enrollment) -> ExistingToken | None:
        found = self._call("GET", "/admin/v1/tokens", "register", READ,
                           params={"type": token_type(enrollment.params), "serial": enrollment.serial})
        token = next((t for t in found if isinstance(t, dict) and t.get("serial") == enrollment.serial), None) \
            if isinstance(found, list) else None
        if token is None:
            return None
        users = [u for u in token.get("users") or [] if isinstance(u, dict)]
        holder = users[0] if users else {}
        return ExistingToken(id=str(token.get("token_id") or ""), holder_id=str(holder.get("user_id") or ""),
                             holder_name=one_line(holder.get("username") or "", 120), same_seed=None,
                             activated=False)

    def _remove(self, existing: ExistingToken) -> None:
        self._call("DELETE", f"/admin/v1/tokens/{_segment(existing.id)}", "remove", WRITE)

    def _create(self, enrollment: Enrollment, user: UserRef | None) -> str:
        params = enrollment.params
        self.http.sent_secret(params.secret.hex())
        fields = {"type": token_type(params), "serial": enrollment.serial, "secret": params.secret.hex()}
        if params.type is OtpType.TOTP:
            fields["totp_step"] = str(params.period)
        else:
            fields["counter"] = str(params.counter)
        created = self._call("POST", "/admin/v1/tokens", "register", WRITE, fields=fields)
        token_id = created.get("token_id") if isinstance(created, dict) else None
        if not isinstance(token_id, str) or not token_id:
            raise self._unreadable("register", 200)
        if user is not None:
            self._call("POST", f"/admin/v1/users/{_segment(user.id)}/tokens", "register", WRITE,
                       fields={"token_id": token_id})
        return token_id

    def register(self, enrollment: Enrollment, *, force: bool = False) -> Registration:
        registration = super().register(enrollment, force=force)
        registration.activation = False  # Duo checks the token's codes at sign-in; there is nothing to activate
        self._params[enrollment.serial] = enrollment.params
        if registration.resumed and enrollment.params.type is OtpType.HOTP:
            self.resync(registration, enrollment.params)
        return registration

    def activate(self, registration: Registration, code: str) -> None:
        """Duo's Admin API has no activation and no check of a code: nothing to do."""

    def resync(self, registration: Registration, params: OtpParams) -> None:
        """Bring Duo's HOTP counter to the token's: three consecutive codes from where the token stands."""
        codes = [hotp(params.secret, params.counter + step, params.digits, params.algorithm) for step in range(3)]
        self._call("POST", f"/admin/v1/tokens/{_segment(registration.token_id)}/resync", "activate", WRITE,
                   fields={"code1": codes[0], "code2": codes[1], "code3": codes[2]})

    def remove(self, serial: str) -> bool:
        removed = False
        for kind in ("t6", "t8", "h6", "h8"):
            found = self._call("GET", "/admin/v1/tokens", "remove", READ, params={"type": kind, "serial": serial})
            for token in found if isinstance(found, list) else []:
                if isinstance(token, dict) and token.get("serial") == serial and token.get("token_id"):
                    self._call("DELETE", f"/admin/v1/tokens/{_segment(str(token['token_id']))}", "remove", WRITE)
                    removed = True
        return removed

    def close(self) -> None:
        self.http.close()

    # -- the signed calls --

    def _secret_key(self) -> str:
        if self._skey is None:
            self._skey = secret(self.settings, "secret-key-file", self.ikey,
                                f"Duo Admin API secret key for {self.ikey} at {self.host}", self.ask_secret)
            self.http.sent_secret(self._skey)
        return self._skey

    def _call(self, method: str, path: str, stage: str, permission: str, *,
              params: Mapping[str, str] | None = None, fields: Mapping[str, str] | None = None) -> Any:
        query = dict(params or {})
        body = canonical_body(fields) if fields is not None else ""
        date = email.utils.formatdate()
        signed = signature(self._secret_key(), date, method, self.host, path, query, body)
        headers = {"Date": date, "Authorization": authorization(self.ikey, signed)}
        if fields is not None:
            headers["Content-Type"] = "application/json"
        target = path + (f"?{canonical_params(query)}" if query else "")
        response = self.http.request(method, target, stage=stage, headers=headers,
                                     content=body.encode() if fields is not None else None)
        return self._answer(response, stage, permission)

    def _answer(self, response: Any, stage: str, permission: str) -> Any:
        status = response.status_code
        try:
            body = self.http.json(response)
        except UnreadableAnswerError:
            body = None
        if not isinstance(body, dict) or body.get("stat") not in ("OK", "FAIL"):
            if status >= 500:
                raise RegistrationError(f"{LABEL} failed (HTTP {status})", system=SYSTEM, stage=stage, status=status,
                                        problem=RegistrationProblem.SERVER, remedy=Remedy.RESUME_REGISTRATION)
            raise self._unreadable(stage, status)
        if body["stat"] == "OK" and status < 400:
            return body.get("response")
        code = body.get("code")
        detail = " ".join(str(body.get(key) or "") for key in ("message", "message_detail")).strip()
        message = self.http.shown(detail or f"HTTP {status}")
        if status == 401 or code in _SIGN_IN_CODES:
            if code == _BAD_TIMESTAMP:
                text = (f"{LABEL} refused the request's date ({message}): this PC's clock is off; set it (network "
                        "time) and try again")
            else:
                text = (f"{LABEL} refused otpburn's signed request ({message}); check the integration key, the "
                        "secret key and the API host in the registrar file")
            raise RegistrationError(text, system=SYSTEM, stage=stage, status=status,
                                    problem=RegistrationProblem.SIGN_IN, remedy=Remedy.REGISTRAR_SIGN_IN)
        if status == 403:
            raise RegistrationError(
                f"the Admin API application may not do this ({message}); give it '{permission}' in the Duo Admin "
                "Panel (Applications → Admin API)", system=SYSTEM, stage=stage, status=status,
                problem=RegistrationProblem.PERMISSION)
        if status >= 500:
            raise RegistrationError(f"{LABEL} failed (HTTP {status}: {message})", system=SYSTEM, stage=stage,
                                    status=status, problem=RegistrationProblem.SERVER,
                                    remedy=Remedy.RESUME_REGISTRATION)
        raise RegistrationError(f"{LABEL} refused it ({message})", system=SYSTEM, stage=stage, status=status,
                                problem=RegistrationProblem.REFUSED)

    def _unreadable(self, stage: str, status: int) -> RegistrationError:
        return RegistrationError(f"{LABEL} answered with something that is not Duo's API (HTTP {status}); check "
                                 "the api-host in the registrar file", system=SYSTEM, stage=stage, status=status,
                                 problem=RegistrationProblem.SERVER, remedy=Remedy.REGISTRAR_SETTINGS)


def _segment(value: str) -> str:
    return quote(value, safe="")
