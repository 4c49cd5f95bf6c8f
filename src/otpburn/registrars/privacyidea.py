"""privacyIDEA (3.x) over its REST API: sign in, find the user, /token/init, /validate/check. eduMFA, the
privacyIDEA fork, has the same API and is reached the same way (its tests run against eduMFA 2.9 too).

Facts this relies on, measured against privacyIDEA 3.14: `/token/init` with a serial that
exists silently re-initialises that token (so otpburn looks first and refuses a duplicate);
`otpkey` is hex; a token carries a free `description`, where otpburn writes the seed's
fingerprint so a later run can tell "this is the token I registered" (resume) from "another
token has this serial" (duplicate) without the seed ever leaving the server.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from otpburn.errors import RegistrationError, RegistrationProblem, Remedy
from otpburn.otp.params import OtpType
from otpburn.registrars.accepts import PRIVACYIDEA
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
from otpburn.untrusted import ascii_number

SYSTEM = "privacyidea"
LABEL = "the privacyIDEA server"
# privacyIDEA's error codes (privacyidea/lib/error.py) that mean something to the user.
_SIGN_IN_CODES = {4031, 4033, 4304, 4305}
_POLICY_CODES = {303, 4032}  # a policy forbids it / not allowed
_USER_CODES = {904, 905}
FINGERPRINT_MARK = "otpburn seed "


class PrivacyIdeaRegistrar(RegistrarBase):
    system = SYSTEM
    accepts = PRIVACYIDEA

    def __init__(self, settings: RegistrarSettings, ask_secret: AskSecret | None = None,
                 notify: Notify | None = None) -> None:
        super().__init__(settings, ask_secret, notify)
        self.admin = settings.text("admin")
        self.realm = settings.text("realm")
        self.description = settings.text("description", "otpburn")
        self.http = connect(settings, settings.text("url"), label=LABEL, notify=self._note)
        self._auth: str | None = None
        self.server = ""

    # -- the interface --

    @property
    def server_label(self) -> str:
        return self.server

    @property
    def activates_unassigned(self) -> bool:
        return True

    def check(self) -> str:
        self._sign_in()
        return self.server

    def _find_user(self, user: str) -> UserRef:
        name, _, realm = user.partition("@")
        realm = realm or self.realm
        query = {"username": name, **({"realm": realm} if realm else {})}
        found = self._call("GET", "/user/", "user", params=query)
        if not isinstance(found, list) or not found:
            where = f" in realm {realm}" if realm else " in the default realm"
            raise RegistrationError(f"privacyIDEA knows no user {one_line(name, 120)!r}{where}", system=SYSTEM,
                                    stage="user", problem=RegistrationProblem.USER_NOT_FOUND)
        entry = found[0] if isinstance(found[0], dict) else {}
        realm = str(entry.get("realm") or realm)
        display = one_line(" ".join(str(entry.get(k) or "") for k in ("givenname", "surname")), 120)
        return UserRef(f"{name}@{realm}" if realm else name, name, display)

    def _existing(self, enrollment: Enrollment) -> ExistingToken | None:
        token = self._token(enrollment.serial)
        if token is None:
            return None
        name, realm = str(token.get("username") or ""), str(token.get("user_realm") or "")
        count = ascii_number(str(token.get("count") or "0"), 20)  # a 64-bit counter
        return ExistingToken(
            id=enrollment.serial, holder_id=f"{name}@{realm}" if name and realm else name,
            holder_name=one_line(name, 120),
            same_seed=FINGERPRINT_MARK + enrollment.params.fingerprint in str(token.get("description", "")),
            # a token that has accepted a code keeps a non-zero counter: nothing left to prove
            activated=count is not None and count > 0)

    def _remove(self, existing: ExistingToken) -> None:
        self._call("DELETE", f"/token/{_segment(existing.id)}", "remove")

    def _create(self, enrollment: Enrollment, user: UserRef | None) -> str:
        params = enrollment.params
        self.http.sent_secret(params.secret.hex(), params.secret.hex().upper())
        form = {
            "type": params.type.value, "otpkey": params.secret.hex(), "genkey": "0", "serial": enrollment.serial,
            "otplen": str(params.digits), "hashlib": params.algorithm.value.lower(),
            "description": self._description(enrollment),
        }
        if params.type is OtpType.TOTP:
            form["timeStep"] = str(params.period)
        if user is not None:
            name, _, realm = user.id.partition("@")
            form.update(user=name, **({"realm": realm} if realm else {}))
        self._call("POST", "/token/init", "register", data=form)
        return enrollment.serial

    def activate(self, registration: Registration, code: str) -> None:
        """privacyIDEA tokens are active once made: check that the server accepts the token's code."""
        result, detail = self._validate(registration.serial, code)
        if result.get("authentication") == "ACCEPT" or result.get("value") is True:
            return
        reason = self.http.shown(detail.get("message", "")) if isinstance(detail, dict) else ""
        raise RegistrationError(
            f"privacyIDEA does not accept the code for {registration.serial}" + (f" ({reason})" if reason else ""),
            system=SYSTEM, stage="activate", problem=RegistrationProblem.CODE_REJECTED, remedy=Remedy.TOKEN_CODE)

    def remove(self, serial: str) -> bool:
        if self._token(serial) is None:
            return False
        self._call("DELETE", f"/token/{_segment(serial)}", "remove")
        return True

    def close(self) -> None:
        self.http.close()

    # -- the REST calls --

    def _description(self, enrollment: Enrollment) -> str:
        label = " ".join(part for part in (enrollment.manufacturer, enrollment.model) if part)
        return f"{self.description} {label} ({FINGERPRINT_MARK}{enrollment.params.fingerprint})".replace("  ", " ")

    def _token(self, serial: str) -> dict[str, Any] | None:
        value = self._call("GET", "/token/", "register", params={"serial": serial})
        tokens = value.get("tokens") if isinstance(value, dict) else None
        if isinstance(tokens, list):
            for token in tokens:
                if isinstance(token, dict) and token.get("serial") == serial:
                    return token
        return None

    def _sign_in(self) -> str:
        if self._auth is None:
            form = {"username": self.admin, "password": secret(
                self.settings, "password-file", self.admin,
                f"privacyIDEA password for {self.admin} at {self.http.base_url}", self.ask_secret)}
            self.http.sent_secret(form["password"])
            admin_realm = self.settings.text("admin-realm")
            if admin_realm:
                form["realm"] = admin_realm
            response = self.http.request("POST", "/auth", stage="sign-in", data=form)
            body = self._body(response, "sign-in")
            value = body["result"].get("value")
            token = value.get("token") if isinstance(value, dict) else None
            if not isinstance(token, str) or not token:
                raise self._unreadable("sign-in", response.status_code)
            self._auth = token
            self.http.sent_secret(token)
            self.server = self.http.shown(body.get("version", "privacyIDEA"), 60)
        return self._auth

    def _call(self, method: str, path: str, stage: str, *, data: dict[str, str] | None = None,
              params: dict[str, str] | None = None, again: bool = True) -> Any:
        auth = self._sign_in()
        # privacyIDEA reads PI-Authorization (and Authorization when it is missing); eduMFA, its fork, reads
        # Authorization only.
        response = self.http.request(method, path, stage=stage, data=data, params=params,
                                     headers={"PI-Authorization": auth, "Authorization": auth})
        if response.status_code == 401 and again:  # the session ran out (1 h by default): sign in once more
            self._auth = None
            return self._call(method, path, stage, data=data, params=params, again=False)
        return self._body(response, stage)["result"].get("value")

    def _validate(self, serial: str, code: str) -> tuple[dict[str, Any], Any]:
        response = self.http.request("POST", "/validate/check", stage="activate", data={"serial": serial,
                                                                                          "pass": code})
        body = self._body(response, "activate")
        return body["result"], body.get("detail")

    def _body(self, response: Any, stage: str) -> dict[str, Any]:
        """The JSON-RPC body of a response, or the error it carries as a RegistrationError."""
        status = response.status_code
        try:
            body = self.http.json(response)
        except UnreadableAnswerError:
            body = None
        result = body.get("result") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not isinstance(result, dict):
            if status >= 500:
                raise RegistrationError(f"{LABEL} failed (HTTP {status})", system=SYSTEM, stage=stage, status=status,
                                        problem=RegistrationProblem.SERVER, remedy=Remedy.RESUME_REGISTRATION)
            raise self._unreadable(stage, status)
        if result.get("status") is True and status < 400:
            return body
        error = result["error"] if isinstance(result.get("error"), dict) else {}
        code = error.get("code")
        message = self.http.shown(error.get("message") or f"HTTP {status}")
        if stage == "sign-in" or code in _SIGN_IN_CODES:
            problem, remedy = RegistrationProblem.SIGN_IN, Remedy.REGISTRAR_SIGN_IN
            text = (f"{LABEL} refused the sign-in of {self.admin} ({message})" if stage == "sign-in"
                    else f"{LABEL} no longer accepts otpburn's sign-in ({message})")
        elif code in _POLICY_CODES or status == 403:
            problem, remedy = RegistrationProblem.PERMISSION, None
            text = f"{self.admin} may not do this on {LABEL} ({message}); check the admin policies"
        elif code in _USER_CODES:
            problem, remedy = RegistrationProblem.USER_NOT_FOUND, None
            text = f"{LABEL}: {message}"
        elif status >= 500:
            problem, remedy = RegistrationProblem.SERVER, Remedy.RESUME_REGISTRATION
            text = f"{LABEL} failed (HTTP {status}: {message})"
        else:
            problem, remedy = RegistrationProblem.REFUSED, None
            text = f"{LABEL} refused it ({message})"
        raise RegistrationError(text, system=SYSTEM, stage=stage, status=status, problem=problem, remedy=remedy)

    def _unreadable(self, stage: str, status: int) -> RegistrationError:
        return RegistrationError(f"{LABEL} answered with something that is not privacyIDEA's API (HTTP {status}); "
                                 "check the url in the registrar file", system=SYSTEM, stage=stage, status=status,
                                 problem=RegistrationProblem.SERVER, remedy=Remedy.REGISTRAR_SETTINGS)


def _segment(serial: str) -> str:
    return quote(serial, safe="")
