"""Entra ID over Microsoft Graph (beta): create a hardware OATH token, assign it, activate it.

Requests follow the Graph API reference (beta): hardwareOathDevices create/list/delete,
users/{id}/authentication/hardwareOathMethods/{id}/activate, users/{upn} on v1.0. Sign-in is
MSAL's: the device-code flow for an administrator at a desk (its token cache kept by
msal-extensions, encrypted where the OS has a keystore), client credentials (a secret or a
certificate from a file) for unattended batches. No tenant is reachable from otpburn's test
suite: this module is tested against a contract server that follows those pages field by field.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote

from otpburn.errors import RegistrationError, RegistrationProblem, Remedy
from otpburn.files import UnsafeFileError, prepare_private_file, user_file
from otpburn.installation import install_command
from otpburn.otp.codec import encode_base32
from otpburn.otp.params import Algorithm
from otpburn.registrars.accepts import ENTRA
from otpburn.registrars.base import (
    AskSecret,
    Enrollment,
    ExistingToken,
    Notify,
    RegistrarBase,
    Registration,
    UserRef,
)
from otpburn.registrars.http import UnreadableAnswerError, connect, connection_timeout, one_line, tls_failure
from otpburn.registrars.settings import RegistrarSettings, read_secret_file, secret

SYSTEM = "entra"
LABEL = "Microsoft Graph"
GRAPH = "https://graph.microsoft.com"
LOGIN = "https://login.microsoftonline.com"
DEVICES = "/beta/directory/authenticationMethodDevices/hardwareOathDevices"
# Delegated permissions for the device-code sign-in (application permissions of the same names for
# client credentials): create tokens, assign/activate them for others, find users by UPN.
PERMISSIONS = ("Policy.ReadWrite.AuthenticationMethod", "UserAuthenticationMethod.ReadWrite.All", "User.Read.All")
# What each stage needs, for a 403's message: (permission, the role a delegated administrator needs).
NEEDS = {
    # creating a token and assigning it in the same request needs both
    "register": ("Policy.ReadWrite.AuthenticationMethod and UserAuthenticationMethod.ReadWrite.All",
                 "Authentication Policy Administrator and Authentication Administrator"),
    "remove": ("Policy.ReadWrite.AuthenticationMethod", "Authentication Policy Administrator"),
    "activate": ("UserAuthenticationMethod.ReadWrite.All", "Authentication Administrator"),
    "user": ("User.Read.All", "a directory reader role"),
}
ACTIVATE_NOT_FOUND_RETRIES = 3  # a token just created may not have reached every replica yet
ACTIVATE_RETRY_SECONDS = 2.0


class EntraRegistrar(RegistrarBase):
    system = SYSTEM
    accepts = ENTRA

    def __init__(self, settings: RegistrarSettings, ask_secret: AskSecret | None = None,
                 notify: Notify | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(settings, ask_secret, notify)
        self.sleep = sleep
        self.tenant = settings.text("tenant")
        self.client_id = settings.text("client-id")
        self.method = settings.text("sign-in", "device-code")
        self.graph_url = settings.text("graph-url", GRAPH).rstrip("/")
        self.login_url = settings.text("login-url", LOGIN).rstrip("/")
        self.timeout = connection_timeout(settings)
        # MSAL signs in through this connection too: the login URL gets the same checks as Graph's.
        self.http = connect(settings, self.graph_url, label=LABEL, notify=self._note, sleep=sleep,
                            extra_urls={f"login-url of [{self.name}]": self.login_url})
        self._app: Any = None
        self._access: str | None = None

    # -- the interface --

    @property
    def server_label(self) -> str:
        return f"tenant {self.tenant}"

    def check(self) -> str:
        self._token()
        return self.server_label

    def _find_user(self, user: str) -> UserRef:
        found = self._graph("GET", f"/v1.0/users/{quote(user, safe='@')}", "user",
                            params={"$select": "id,displayName,userPrincipalName"})
        if not isinstance(found, dict) or not isinstance(found.get("id"), str):
            raise self._unreadable("user")
        return UserRef(found["id"], one_line(str(found.get("userPrincipalName") or user), 120),
                       one_line(str(found.get("displayName") or ""), 120))

    @property
    def activates_unassigned(self) -> bool:
        return False  # Entra ID activates a token for the user it is assigned to

    def _existing(self, enrollment: Enrollment) -> ExistingToken | None:
        device = self._device(enrollment.serial)
        if device is None:
            return None
        assigned = device.get("assignedTo")
        holder: dict[str, Any] = assigned if isinstance(assigned, dict) else {}
        return ExistingToken(id=str(device["id"]), holder_id=str(holder.get("id") or ""),
                             holder_name=one_line(str(holder.get("displayName") or ""), 120), same_seed=None,
                             activated=device.get("status") == "activated")

    def _remove(self, existing: ExistingToken) -> None:
        self._graph("DELETE", f"{DEVICES}/{quote(existing.id)}", "remove")

    def _create(self, enrollment: Enrollment, user: UserRef | None) -> str:
        params = enrollment.params
        secret_key = encode_base32(params.secret)
        self.http.sent_secret(secret_key)
        body: dict[str, Any] = {
            "displayName": (params.label or f"{enrollment.manufacturer} {enrollment.serial}")[:64],
            "serialNumber": enrollment.serial,
            "manufacturer": self.settings.text("manufacturer") or enrollment.manufacturer or "unknown",
            "model": self.settings.text("model") or enrollment.model or "unknown",
            "secretKey": secret_key,
            "timeIntervalInSeconds": params.period,
            "hashFunction": "hmacsha256" if params.algorithm is Algorithm.SHA256 else "hmacsha1",
        }
        if user is not None:
            body["assignTo"] = {"id": user.id}
        created = self._graph("POST", DEVICES, "register", json=body)
        if not isinstance(created, dict) or not isinstance(created.get("id"), str):
            raise self._unreadable("register")
        return str(created["id"])

    def activate(self, registration: Registration, code: str) -> None:
        if registration.user is None:
            raise RegistrationError(f"{registration.serial} is assigned to nobody; Entra ID activates a token for "
                                    "its user", system=SYSTEM, stage="activate",
                                    problem=RegistrationProblem.REFUSED)
        path = (f"/beta/users/{quote(registration.user.id)}/authentication/hardwareOathMethods/"
                f"{quote(registration.token_id)}/activate")
        for attempt in range(ACTIVATE_NOT_FOUND_RETRIES + 1):
            try:
                self._graph("POST", path, "activate", json={"verificationCode": code})
                return
            except RegistrationError as exc:
                if exc.status != 404 or attempt == ACTIVATE_NOT_FOUND_RETRIES:
                    raise
                self.sleep(ACTIVATE_RETRY_SECONDS * (attempt + 1))

    def remove(self, serial: str) -> bool:
        existing = self._device(serial)
        if existing is None:
            return False
        self._graph("DELETE", f"{DEVICES}/{quote(str(existing['id']))}", "remove")
        return True

    def close(self) -> None:
        self.http.close()

    # -- Graph --

    def _device(self, serial: str) -> dict[str, Any] | None:
        escaped = serial.replace("'", "''")  # OData string literal
        found = self._graph("GET", DEVICES, "register", params={"$filter": f"serialNumber eq '{escaped}'"})
        values = found.get("value") if isinstance(found, dict) else None
        if not isinstance(values, list):
            raise self._unreadable("register")
        return next((v for v in values if isinstance(v, dict) and v.get("serialNumber") == serial
                     and isinstance(v.get("id"), str)), None)

    def _graph(self, method: str, path: str, stage: str, *, json: Any = None,
               params: dict[str, str] | None = None, again: bool = True) -> Any:
        token = self._token()
        response = self.http.request(method, path, stage=stage, json=json, params=params,
                                     headers={"Authorization": f"Bearer {token}"})
        status = response.status_code
        if status == 401 and again:  # the access token expired: get a fresh one, once
            self._access = None
            self._token(fresh=True)
            return self._graph(method, path, stage, json=json, params=params, again=False)
        if 200 <= status < 300:
            if status == 204 or not response.content:
                return None
            try:
                return self.http.json(response)
            except UnreadableAnswerError:
                raise self._unreadable(stage) from None
        raise self._error(response, stage)

    def _error(self, response: Any, stage: str) -> RegistrationError:
        status = response.status_code
        try:
            error = self.http.json(response).get("error", {})
        except (UnreadableAnswerError, AttributeError):
            error = {}
        error = error if isinstance(error, dict) else {}
        code = self.http.shown(error.get("code", ""), 60)
        message = self.http.shown(error.get("message", ""))
        said = f"{code}: {message}" if code and message else code or message or f"HTTP {status}"
        lowered = message.lower()

        def fail(text: str, problem: RegistrationProblem, remedy: Remedy | None = None) -> RegistrationError:
            return RegistrationError(text, system=SYSTEM, stage=stage, status=status, problem=problem, remedy=remedy)

        # Graph's words for a tenant whose hardware OATH method is off; "disabled" alone could be a user account.
        if status in (400, 403) and ("not enabled" in lowered or "disabled" in lowered) and (
                "oath" in lowered or "authentication method" in lowered):
            return fail("hardware OATH tokens are not enabled in this tenant: an Authentication Policy Administrator "
                        "enables them under Authentication methods → Hardware OATH tokens (it can take 20 minutes "
                        f"to apply) ({said})", RegistrationProblem.METHOD_DISABLED)
        if status == 409 or (status == 400 and stage == "register" and "already exist" in lowered):
            return fail(f"Entra ID already has a hardware token with this serial ({said})",
                        RegistrationProblem.DUPLICATE, Remedy.REPLACE_TOKEN)
        if status == 401:
            return fail(f"Microsoft Graph does not accept otpburn's sign-in ({said})", RegistrationProblem.SIGN_IN,
                        Remedy.REGISTRAR_SIGN_IN)
        if status == 403:
            permission, role = NEEDS.get(stage, NEEDS["register"])
            plural = "s" if " and " in permission else ""
            who = (f"the app registration needs the application permission{plural}" if self.method != "device-code"
                   else f"the signed-in administrator needs the {role} role{plural} and the app the delegated "
                        f"permission{plural}")
            return fail(f"Microsoft Graph refused this ({said}): {who} {permission}, with admin consent",
                        RegistrationProblem.PERMISSION)
        if status == 404 and stage == "user":
            return fail(f"Entra ID has no user {self._asked_user(response)}", RegistrationProblem.USER_NOT_FOUND)
        if status == 400 and stage == "activate":
            return fail(f"Entra ID does not accept the code ({said})", RegistrationProblem.CODE_REJECTED,
                        Remedy.TOKEN_CODE)
        if status >= 500:
            return fail(f"Microsoft Graph failed (HTTP {status}: {said})", RegistrationProblem.SERVER,
                        Remedy.RESUME_REGISTRATION)
        return fail(f"Microsoft Graph refused it (HTTP {status}: {said})", RegistrationProblem.REFUSED)

    @staticmethod
    def _asked_user(response: Any) -> str:
        path = str(getattr(response, "url", "")).split("?")[0]
        return repr(unquote(path.rsplit("/", 1)[-1]))

    def _unreadable(self, stage: str) -> RegistrationError:
        return RegistrationError(f"{LABEL} answered with something otpburn cannot read; check graph-url in the "
                                 "registrar file", system=SYSTEM, stage=stage, problem=RegistrationProblem.SERVER,
                                 remedy=Remedy.REGISTRAR_SETTINGS)

    # -- MSAL --

    def _token(self, fresh: bool = False) -> str:
        if self._access is None:
            result = self._acquire(fresh)
            token = result.get("access_token") if isinstance(result, dict) else None
            if not isinstance(token, str):
                raise self._sign_in_failed(result if isinstance(result, dict) else {})
            self._access = token
        return self._access

    def _scopes(self) -> list[str]:
        if self.method == "device-code":
            return [f"{GRAPH}/{permission}" for permission in PERMISSIONS]
        return [f"{GRAPH}/.default"]

    def _acquire(self, fresh: bool) -> Any:
        try:
            import msal
        except ImportError:
            raise RegistrationError(f"Entra registration needs msal: {install_command('register')}",
                                    problem=RegistrationProblem.SETTINGS, system=SYSTEM, stage="settings") from None
        try:
            if self._app is None:
                self._app = self._make_app(msal)
            app = self._app
            if self.method == "device-code":
                accounts = [] if fresh else app.get_accounts()
                if accounts:
                    result = app.acquire_token_silent(self._scopes(), account=accounts[0])
                    if result:
                        return result
                flow = app.initiate_device_flow(scopes=self._scopes())
                if "user_code" not in flow:
                    return flow
                self._note(str(flow.get("message") or f"To sign in, open {flow.get('verification_uri')} and enter "
                                                         f"the code {flow['user_code']}"))
                return app.acquire_token_by_device_flow(flow)
            if fresh:
                app.remove_tokens_for_client()
            return app.acquire_token_for_client(self._scopes())
        except RegistrationError:
            raise
        except Exception as exc:  # MSAL's transport (requests) and discovery failures
            raise self._msal_failure(exc) from None

    def _make_app(self, msal: Any) -> Any:
        authority = f"{self.login_url}/{quote(self.tenant)}"
        # MSAL speaks through the same httpx client as the Graph calls: one TLS set-up (the ca-file is
        # honoured even where REQUESTS_CA_BUNDLE is set, which would override requests' own verify).
        common: dict[str, Any] = {"authority": authority, "http_client": self.http.client}
        if self.login_url != LOGIN:  # a sovereign or test login host: no instance discovery at Microsoft
            common["instance_discovery"] = False
        if self.method == "device-code":
            return msal.PublicClientApplication(self.client_id, token_cache=self._persisted_cache(), **common)
        if self.method == "client-secret":
            credential: Any = secret(self.settings, "client-secret-file", self.client_id,
                                     f"client secret of app {self.client_id}", self.ask_secret)
            self.http.sent_secret(credential)
        else:
            credential = self._certificate_credential()
        return msal.ConfidentialClientApplication(self.client_id, client_credential=credential, **common)

    def _certificate_credential(self) -> dict[str, str]:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization

        pem = read_secret_file(self.settings, "certificate-file")
        if not pem:
            raise RegistrationError(f"sign-in = \"certificate\" needs certificate-file in [{self.name}] (a PEM file "
                                    "with the certificate and its private key)", problem=RegistrationProblem.SETTINGS,
                                    system=SYSTEM, stage="settings", remedy=Remedy.REGISTRAR_SETTINGS)
        password = read_secret_file(self.settings, "certificate-password-file")
        data = pem.encode()
        try:
            certificate = x509.load_pem_x509_certificate(data)
            key = serialization.load_pem_private_key(data, password.encode() if password else None)
        except (ValueError, TypeError) as exc:
            raise RegistrationError(f"the certificate file of [{self.name}] cannot be read "
                                    f"({self.http.shown(exc, 80)})",
                                    problem=RegistrationProblem.SETTINGS, system=SYSTEM, stage="settings",
                                    remedy=Remedy.REGISTRAR_SETTINGS) from None
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
        thumbprint = certificate.fingerprint(hashes.SHA1()).hex()  # noqa: S303  what Entra calls the thumbprint
        return {"private_key": key_pem, "thumbprint": thumbprint,
                "public_certificate": certificate.public_bytes(serialization.Encoding.PEM).decode()}

    def _persisted_cache(self) -> Any:
        """The device-code sign-in's cache: encrypted by the OS keystore where there is one, else a 0600 file."""
        path = self.settings.path("token-cache") or user_file("OTPBURN_ENTRA_CACHE", f"entra-{self.name}.cache")
        try:
            from msal_extensions import FilePersistence, PersistedTokenCache, build_encrypted_persistence
        except ImportError:
            return None  # MSAL keeps the sign-in in memory for this run
        try:
            # MSAL opens the cache by name: first make sure the name is a private regular file of ours, in a
            # folder nobody else can change (so it cannot be swapped for a link or a FIFO afterwards).
            prepare_private_file(path)
        except UnsafeFileError as exc:
            raise RegistrationError(f"the Entra token cache is not used: {exc}", system=SYSTEM, stage="settings",
                                    problem=RegistrationProblem.SETTINGS, remedy=Remedy.REGISTRAR_SETTINGS) from None
        try:
            persistence = build_encrypted_persistence(str(path))
        except Exception:  # no keystore here (a Linux without libsecret, a headless session)
            persistence = FilePersistence(str(path))
            self._note(f"the Entra sign-in is cached in {path}, readable only by you (no OS keystore here)")
        return PersistedTokenCache(persistence)

    def _sign_in_failed(self, result: dict[str, Any]) -> RegistrationError:
        error = self.http.shown(result.get("error", ""), 60)
        description = self.http.shown(str(result.get("error_description", "")).splitlines()[0] if result.get(
            "error_description") else "", 160)
        said = f"{error}: {description}" if description else error or "no token"
        problem = RegistrationProblem.SIGN_IN
        if error in ("authorization_declined", "expired_token"):
            text = f"the Entra sign-in was not completed ({said})"
        else:
            text = f"Entra ID refused otpburn's sign-in ({said})"
        return RegistrationError(text, system=SYSTEM, stage="sign-in", problem=problem,
                                 remedy=Remedy.REGISTRAR_SIGN_IN)

    def _msal_failure(self, exc: Exception) -> RegistrationError:
        if tls_failure(exc):
            return RegistrationError(f"the certificate of the Entra sign-in service ({self.login_url}) cannot be "
                                     "verified", problem=RegistrationProblem.TLS, system=SYSTEM, stage="sign-in",
                                     remedy=Remedy.REGISTRAR_CA)
        if isinstance(exc, self.http.transport_errors):
            return RegistrationError(f"cannot reach the Entra sign-in service at {self.login_url}",
                                     problem=RegistrationProblem.UNREACHABLE, system=SYSTEM, stage="sign-in",
                                     remedy=Remedy.RESUME_REGISTRATION)
        return RegistrationError(f"the Entra sign-in failed ({self.http.shown(f'{type(exc).__name__}: {exc}', 120)}); "
                                 "check tenant, client-id and login-url", problem=RegistrationProblem.SIGN_IN,
                                 system=SYSTEM, stage="sign-in", remedy=Remedy.REGISTRAR_SETTINGS)
