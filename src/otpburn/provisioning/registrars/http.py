"""HTTP for the registrars: TLS checked by default, plain http to loopback only, and every
transport failure, throttle and server error turned into one RegistrationError.

Bodies are never logged or put into messages (they carry seeds one way and tokens the
other); only a server's own short error text is, cleaned to one printable line.
"""

from __future__ import annotations

import email.utils
import ipaddress
import ssl
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from otpburn import __version__
from otpburn.errors import RegistrationError, RegistrationProblem, Remedy
from otpburn.provisioning.registrars import Notify

THROTTLE_STATUSES = (429, 503)
MAX_THROTTLE_WAITS = 3  # a throttled request is sent at most this many more times
MAX_THROTTLE_SECONDS = 120.0  # a longer Retry-After is reported, not waited for
DEFAULT_THROTTLE_SECONDS = 5.0  # when a 429/503 names no Retry-After


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def one_line(text: object, limit: int = 200) -> str:
    """A server's text made safe to show: printable, one line, not too long."""
    cleaned = " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def retry_after_seconds(value: str | None) -> float:
    if not value:
        return DEFAULT_THROTTLE_SECONDS
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEFAULT_THROTTLE_SECONDS
    return max(0.0, when.timestamp() - time.time())


def tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class Http:
    """One server's connection: `request` answers with the response or raises RegistrationError."""

    def __init__(self, system: str, base_url: str, *, label: str, ca_file: Path | None = None,
                 timeout: float = 30.0, notify: Notify | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        try:
            import httpx
        except ImportError:
            raise RegistrationError("registering tokens needs httpx: pip install 'otpburn[register]'",
                                    problem=RegistrationProblem.SETTINGS, system=system, stage="settings") from None
        self.system, self.label, self.timeout = system, label, timeout
        self.notify = notify or (lambda text: None)
        self.sleep = sleep
        parts = urlsplit(base_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise self._settings(f"{label} should be an https:// address, not {base_url!r}")
        if parts.scheme == "http":
            if not is_loopback(parts.hostname):
                raise self._settings(f"{label} {base_url} is plain http to another machine: passwords and seeds "
                                     "would cross the network in clear; use https://")
            self.notify(f"warning: {base_url} is plain http (allowed only because it is this machine)")
        self.base_url = base_url.rstrip("/")
        verify: ssl.SSLContext | bool = True
        if ca_file is not None:
            try:
                verify = ssl.create_default_context(cafile=str(ca_file))
            except (OSError, ssl.SSLError) as exc:
                raise self._settings(f"the CA file {ca_file} cannot be used ({one_line(exc)})") from None
        self._httpx = httpx
        self.transport_errors = (httpx.HTTPError,)
        self.client = httpx.Client(verify=verify, timeout=timeout, follow_redirects=False,
                                   headers={"User-Agent": f"otpburn/{__version__}"})

    def _settings(self, message: str) -> RegistrationError:
        return RegistrationError(message, problem=RegistrationProblem.SETTINGS, system=self.system,
                                 stage="settings", remedy=Remedy.REGISTRAR_SETTINGS)

    def request(self, method: str, path: str, *, stage: str, data: Mapping[str, str] | None = None,
                json: Any = None, params: Mapping[str, str] | None = None,
                headers: Mapping[str, str] | None = None) -> Any:
        """The httpx response (any status but a throttle the retries could not outwait)."""
        httpx = self._httpx
        url = path if path.startswith("https://") or path.startswith("http://") else self.base_url + path
        waits = 0
        while True:
            try:
                response = self.client.request(method, url, data=data, json=json, params=params, headers=headers)
            except httpx.InvalidURL:
                raise self._settings(f"{self.label} has an address httpx cannot use: {self.base_url!r}") from None
            except httpx.TimeoutException:
                raise self._unreachable(f"{self.label} did not answer within {self.timeout:g} s", stage) from None
            except httpx.HTTPError as exc:
                if tls_failure(exc):
                    raise RegistrationError(
                        f"the certificate of {self.label} ({self.base_url}) cannot be verified",
                        problem=RegistrationProblem.TLS, system=self.system, stage=stage,
                        remedy=Remedy.REGISTRAR_CA) from None
                raise self._unreachable(f"cannot reach {self.label} at {self.base_url} ({_reason(exc)})",
                                        stage) from None
            if response.status_code not in THROTTLE_STATUSES:
                return response
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            busy = "throttles otpburn" if response.status_code == 429 else "is busy"
            if waits >= MAX_THROTTLE_WAITS or wait > MAX_THROTTLE_SECONDS:
                raise RegistrationError(
                    f"{self.label} {busy} (HTTP {response.status_code}) and asks to wait {wait:.0f} s more",
                    problem=RegistrationProblem.RATE_LIMITED, system=self.system, stage=stage,
                    status=response.status_code, remedy=Remedy.RESUME_REGISTRATION)
            waits += 1
            self.notify(f"{self.label} {busy} (HTTP {response.status_code}); waiting {wait:.0f} s as it asks")
            self.sleep(wait)

    def _unreachable(self, message: str, stage: str) -> RegistrationError:
        return RegistrationError(message, problem=RegistrationProblem.UNREACHABLE, system=self.system, stage=stage,
                                 remedy=Remedy.RESUME_REGISTRATION)

    def close(self) -> None:
        self.client.close()


def _reason(exc: BaseException) -> str:
    text = str(exc)
    for known, reason in (("Connection refused", "connection refused"), ("Name or service not known", "unknown host"),
                          ("Temporary failure in name resolution", "unknown host"),
                          ("Network is unreachable", "network unreachable"), ("timed out", "timed out")):
        if known in text:
            return reason
    return one_line(text, 80) or type(exc).__name__
