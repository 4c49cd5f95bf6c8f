"""Okta over its Users and Factors API: a custom OTP factor (`token:hotp`, provider CUSTOM) with the token's
shared secret, activated with a code from the token.

Sources: Okta's Factors API reference (enroll a Custom HOTP factor: `POST /api/v1/users/{userId}/factors`
with `factorType`, `provider`, `factorProfileId` and `profile.sharedSecret`; activate:
`POST …/factors/{factorId}/lifecycle/activate` with `passCode`; list and delete factors), the Users API
(`GET /api/v1/users/{login}`), API-token authentication (`Authorization: SSWS <token>`), the error
object (`errorCode`, `errorSummary`, `errorCauses`) and the rate-limit headers (`X-Rate-Limit-Reset`).

What the factor computes — HOTP or TOTP, the hash, the digits, the time step and the secret's encoding — is
set on the factor profile in the Okta admin console (Security → Authenticators → Custom OTP), not per
factor: the registrar file names that profile (`factor-profile-id`) and its secret encoding, and the
token's settings must be the profile's. Okta support enables Custom OTP for an org.

A factor belongs to a user and has no serial; a user has one custom OTP factor per profile. One already
there is another token's, as far as Okta can say: it is refused unless `--force` replaces it.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from otpburn.errors import RegistrationError, RegistrationProblem, Remedy
from otpburn.otp.codec import encode_base32
from otpburn.registrars.accepts import OKTA
from otpburn.registrars.base import (
    AskSecret,
    Enrollment,
    ExistingToken,
    Notify,
    RegistrarBase,
    Registration,
    UserRef,
)
from otpburn.registrars.http import UnreadableAnswerError, connect, one_line, settings_problem
from otpburn.registrars.settings import RegistrarSettings, secret

SYSTEM = "okta"
LABEL = "Okta"
FACTOR_TYPE, PROVIDER = "token:hotp", "CUSTOM"
ENCODINGS = ("base32", "hex", "base64")
_INVALID_TOKEN = "E0000011"  # noqa: S105 (an Okta error code, not a password)
_NO_PERMISSION = "E0000006"
_BAD_PASSCODE = "E0000068"


class OktaRegistrar(RegistrarBase):
    system = SYSTEM
    accepts = OKTA

    def __init__(self, settings: RegistrarSettings, ask_secret: AskSecret | None = None,
                 notify: Notify | None = None) -> None:
        super().__init__(settings, ask_secret, notify)
        self.profile_id = settings.text("factor-profile-id")
        self.encoding = settings.text("secret-encoding", "base32").lower()
        if self.encoding not in ENCODINGS:
            raise settings_problem(SYSTEM, f"{settings.where('secret-encoding')} should be one of "
                                           f"{', '.join(ENCODINGS)} (as the factor profile in Okta says)")
        self.http = connect(settings, settings.text("org-url"), label=LABEL, notify=self._note)
        self._token: str | None = None
        self.org = ""

    # -- the interface --

    @property
    def server_label(self) -> str:
        return self.org

    @property
    def activates_unassigned(self) -> bool:
        return False

    def check(self) -> str:
        self._call("GET", "/api/v1/users/me", "sign-in")
        self.org = self.http.shown(self.http.base_url.split("://", 1)[-1], 80)
        return self.org

    def _find_user(self, user: str) -> UserRef:
        try:
            found = self._call("GET", f"/api/v1/users/{_segment(user)}", "user")
        except RegistrationError as exc:
            if exc.status == 404:
                raise RegistrationError(f"Okta knows no user {one_line(user, 120)!r}", system=SYSTEM, stage="user",
                                        problem=RegistrationProblem.USER_NOT_FOUND) from None
            raise
        profile = found.get("profile") if isinstance(found, dict) else None
        if not isinstance(found, dict) or not isinstance(found.get("id"), str) or not isinstance(profile, dict):
            raise self._unreadable("user", 200)
        display = " ".join(str(profile.get(key) or "") for key in ("firstName", "lastName"))
        return UserRef(found["id"], one_line(profile.get("login") or user, 120), one_line(display, 120))

    def check_serial(self, enrollment: Enrollment, *, force: bool = False) -> None:
        """A factor is filed by user, not serial: refuse when the user has one (unless `force` replaces it)."""
        user = self._user_of(enrollment)
        if self._factor(user) is not None and not force:
            raise self._duplicate(user)

    def register(self, enrollment: Enrollment, *, force: bool = False) -> Registration:
        user = self._user_of(enrollment)
        existing = self._factor(user)
        if existing is not None and not force:
            raise self._duplicate(user)
        if existing is not None:
            self._remove(self._existing_token(existing, user))
        factor_id = self._create(enrollment, user)
        return Registration(SYSTEM, self.name, enrollment.serial, user, factor_id, replaced=existing is not None,
                            server=self.server_label)

    def activate(self, registration: Registration, code: str) -> None:
        assert registration.user is not None  # noqa: S101 (Okta registrations always have one)
        self._call("POST", f"/api/v1/users/{_segment(registration.user.id)}/factors/"
                           f"{_segment(registration.token_id)}/lifecycle/activate", "activate",
                   json={"passCode": code})

    def remove(self, serial: str) -> bool:
        raise RegistrationError("Okta files factors by user, not by serial: remove the user's custom OTP factor in "
                                "the Okta admin console, or register the token again replacing it", system=SYSTEM,
                                stage="remove", problem=RegistrationProblem.REFUSED, remedy=Remedy.REPLACE_TOKEN)

    def close(self) -> None:
        self.http.close()

    # -- the skeleton's calls, for a factor filed by user --

    def _existing(self, enrollment: Enrollment) -> ExistingToken | None:
        user = self._user_of(enrollment)
        factor = self._factor(user)
        return self._existing_token(factor, user) if factor is not None else None

    def _remove(self, existing: ExistingToken) -> None:
        self._call("DELETE", f"/api/v1/users/{_segment(existing.holder_id)}/factors/{_segment(existing.id)}",
                   "remove")

    def _create(self, enrollment: Enrollment, user: UserRef | None) -> str:
        assert user is not None  # noqa: S101 (_user_of made sure)
        shared = self._encoded(enrollment.params.secret)
        self.http.sent_secret(shared)
        body = {"factorType": FACTOR_TYPE, "provider": PROVIDER, "factorProfileId": self.profile_id,
                "profile": {"sharedSecret": shared}}
        created = self._call("POST", f"/api/v1/users/{_segment(user.id)}/factors", "register", json=body,
                             params={"activate": "false"})
        factor_id = created.get("id") if isinstance(created, dict) else None
        if not isinstance(factor_id, str) or not factor_id:
            raise self._unreadable("register", 200)
        return factor_id

    def _user_of(self, enrollment: Enrollment) -> UserRef:
        if not enrollment.user:
            raise RegistrationError("Okta registers a factor for a user: name the user (their Okta login)",
                                    system=SYSTEM, stage="user", problem=RegistrationProblem.USER_NOT_FOUND,
                                    remedy=Remedy.NAME_USER)
        return self.find_user(enrollment.user)

    def _factor(self, user: UserRef) -> dict[str, Any] | None:
        factors = self._call("GET", f"/api/v1/users/{_segment(user.id)}/factors", "register")
        for factor in factors if isinstance(factors, list) else []:
            if isinstance(factor, dict) and factor.get("factorType") == FACTOR_TYPE \
                    and factor.get("provider") == PROVIDER \
                    and factor.get("factorProfileId", self.profile_id) == self.profile_id:
                return factor
        return None

    def _existing_token(self, factor: dict[str, Any], user: UserRef) -> ExistingToken:
        return ExistingToken(id=str(factor.get("id") or ""), holder_id=user.id, holder_name=user.name,
                             same_seed=False, activated=factor.get("status") == "ACTIVE")

    def _duplicate(self, user: UserRef) -> RegistrationError:
        return RegistrationError(f"Okta already has a custom OTP factor for {user.name} (a token's, perhaps "
                                 "another one's)", system=SYSTEM, stage="register",
                                 problem=RegistrationProblem.DUPLICATE, remedy=Remedy.REPLACE_TOKEN)

    def _encoded(self, secret_bytes: bytes) -> str:
        if self.encoding == "hex":
            return secret_bytes.hex()
        if self.encoding == "base64":
            return base64.b64encode(secret_bytes).decode("ascii")
        return encode_base32(secret_bytes)

    # -- the REST calls --

    def _api_token(self) -> str:
        if self._token is None:
            self._token = secret(self.settings, "api-token-file", "api-token",
                                 f"Okta API token for {self.http.base_url}", self.ask_secret)
            self.http.sent_secret(self._token)
        return self._token

    def _call(self, method: str, path: str, stage: str, *, json: Any = None,
              params: dict[str, str] | None = None) -> Any:
        response = self.http.request(method, path, stage=stage, json=json, params=params,
                                     headers={"Authorization": f"SSWS {self._api_token()}",
                                              "Accept": "application/json"})
        status = response.status_code
        if status == 204:
            return None
        try:
            body = self.http.json(response)
        except UnreadableAnswerError:
            body = None
        if 200 <= status < 300:
            if body is None:
                raise self._unreadable(stage, status)
            return body
        code = str(body.get("errorCode") or "") if isinstance(body, dict) else ""
        causes = body.get("errorCauses") if isinstance(body, dict) else None
        summary = " ".join([str(body.get("errorSummary") or "") if isinstance(body, dict) else "",
                            *(str(c.get("errorSummary") or "") for c in causes or [] if isinstance(c, dict))])
        message = self.http.shown(summary.strip() or f"HTTP {status}")
        if status == 401 or code == _INVALID_TOKEN:
            error = RegistrationError(f"Okta refused the API token ({message}); check api-token-file in the "
                                      "registrar file", system=SYSTEM, stage=stage, status=status,
                                      problem=RegistrationProblem.SIGN_IN, remedy=Remedy.REGISTRAR_SIGN_IN)
        elif code == _BAD_PASSCODE:
            error = RegistrationError(f"Okta does not accept the code ({message}); check that the factor profile's "
                                      "settings (HOTP or TOTP, digits, time step, secret encoding) are the token's",
                                      system=SYSTEM, stage=stage, status=status,
                                      problem=RegistrationProblem.CODE_REJECTED, remedy=Remedy.TOKEN_CODE)
        elif status == 403 or code == _NO_PERMISSION:
            error = RegistrationError(f"the API token's administrator may not do this ({message}); it needs a role "
                                      "that manages users' factors (for example Help Desk or Org Administrator)",
                                      system=SYSTEM, stage=stage, status=status,
                                      problem=RegistrationProblem.PERMISSION)
        elif status >= 500:
            error = RegistrationError(f"Okta failed (HTTP {status}: {message})", system=SYSTEM, stage=stage,
                                      status=status, problem=RegistrationProblem.SERVER,
                                      remedy=Remedy.RESUME_REGISTRATION)
        else:
            error = RegistrationError(f"Okta refused it ({message})", system=SYSTEM, stage=stage, status=status,
                                      problem=RegistrationProblem.REFUSED)
        raise error

    def _unreadable(self, stage: str, status: int) -> RegistrationError:
        return RegistrationError(f"Okta answered with something that is not its API (HTTP {status}); check the "
                                 "org-url in the registrar file", system=SYSTEM, stage=stage, status=status,
                                 problem=RegistrationProblem.SERVER, remedy=Remedy.REGISTRAR_SETTINGS)


def _segment(value: str) -> str:
    return quote(value, safe="")
