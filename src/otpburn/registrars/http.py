"""HTTP for the registrars: TLS checked by default, plain http to loopback only and never through a proxy,
answers capped in size and read within one deadline, and every transport failure, throttle and server
error turned into one RegistrationError.

Bodies are never logged or put into messages (they carry seeds one way and tokens the other); only a
server's own short error text is, cleaned to one printable line with every secret this connection sent
masked out (a server may quote the form it refused).

Why a transport of our own on httpcore (httpx's own engine): httpx has no total deadline (a server that
sends a byte every second outlives any per-read timeout), reads answers of any size into memory, and
takes proxies from the environment for plain http too, where a proxy would see the administrator's
password. `GuardedTransport` adds exactly those three rules; connection handling stays httpcore's.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json as json_module
import os
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, quote_plus, unquote, urlsplit

from otpburn import __version__
from otpburn.errors import RegistrationError, RegistrationProblem, Remedy
from otpburn.installation import install_command
from otpburn.registrars.base import Notify
from otpburn.registrars.settings import RegistrarSettings, ca_file
from otpburn.untrusted import ascii_digits, tame

THROTTLE_STATUSES = (429, 503)
MAX_THROTTLE_WAITS = 3  # a throttled request is sent at most this many more times
MAX_THROTTLE_SECONDS = 120.0  # a longer Retry-After is reported, not waited for
_A_DAY = 86400.0
BACKOFF_SECONDS = 1.0  # when a 429/503 names no Retry-After: 1, 2, 4 s (the exponential back-off Duo asks for)
MAX_ANSWER_BYTES = 4 * 1024 * 1024  # far beyond any answer a registrar reads (a user, a token, an error)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def one_line(text: object, limit: int = 200) -> str:
    """A server's text made safe to show: printable, one line, its runs of spaces made one, not too long."""
    return tame(" ".join(tame(str(text), len(str(text))).split()), limit)


def retry_after_seconds(value: str | None, waits: int = 0, reset: str | None = None) -> float:
    """How long a throttled request waits: what Retry-After asks (seconds or a date), else until the moment an
    X-Rate-Limit-Reset names (Okta: Unix seconds), else an exponential back-off by the `waits` already made."""
    backoff = BACKOFF_SECONDS * float(2**waits)
    if not value and reset and ascii_digits(reset.strip()):
        return max(0.0, float(reset) - time.time())
    if not value:
        return backoff
    value = value.strip()
    if ascii_digits(value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return backoff
    return max(0.0, when.timestamp() - time.time())


def tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def settings_problem(system: str, message: str) -> RegistrationError:
    return RegistrationError(message, problem=RegistrationProblem.SETTINGS, system=system, stage="settings",
                             remedy=Remedy.REGISTRAR_SETTINGS)


def check_url(system: str, label: str, url: str) -> str:
    """`url` if otpburn may send secrets to it: https, or plain http to this machine; never with a user name or
    password in it (they would sit in clear in the registrar file and show in every message)."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise settings_problem(system, f"{label} carries a user name or password in its address; remove it (the "
                                       "registrar file names secret files for credentials)")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise settings_problem(system, f"{label} should be an https:// address, not {tame(url, 120)!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise settings_problem(system, f"{label} {tame(url, 120)} is plain http to another machine: passwords and "
                                       "seeds would cross the network in clear; use https://")
    return url


# -- proxies -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Proxy:
    """An https proxy, reached with CONNECT: it carries the TLS connection, never sees inside it."""

    url: str  # scheme://host:port, without credentials
    auth: tuple[str, str] | None = None  # from the environment's proxy URL; never from the registrar file
    source: str = ""  # "the registrar file" or the environment variable it came from
    from_environment: bool = False  # then NO_PROXY applies too

    @property
    def shown(self) -> str:
        return f"{self.url} (from {self.source})"


def parse_proxy(system: str, text: str, source: str, *, credentials_allowed: bool) -> Proxy:
    parts = urlsplit(text if "://" in text else f"http://{text}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise settings_problem(system, f"the proxy in {source} is not an http:// or https:// proxy "
                                       f"({parts.scheme or 'no scheme'}); otpburn reaches identity systems only "
                                       "through proxies that tunnel TLS with CONNECT")
    auth = None
    if parts.username is not None or parts.password is not None:
        if not credentials_allowed:
            raise settings_problem(system, f"the proxy in {source} carries a user name or password in clear; set "
                                           "it in HTTPS_PROXY instead")
        auth = (unquote(parts.username or ""), unquote(parts.password or ""))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return Proxy(f"{parts.scheme}://{host}:{port}", auth, source)


def choose_proxy(system: str, configured: str | None) -> Proxy | None:
    """The proxy for https requests: the registrar file's `proxy` ("none" for a direct connection), else the
    environment's HTTPS_PROXY / ALL_PROXY. Plain http (loopback only) never goes through one."""
    if configured is not None and configured.strip():
        if configured.strip().lower() in ("none", "direct"):
            return None
        return parse_proxy(system, configured.strip(), "the registrar file", credentials_allowed=False)
    found = urllib.request.getproxies_environment()
    for key in ("https", "all"):
        if found.get(key):
            name = next((variable for variable in (f"{key}_proxy", f"{key.upper()}_PROXY") if os.environ.get(
                variable)), f"{key.upper()}_PROXY")
            return replace(parse_proxy(system, found[key], name, credentials_allowed=True), from_environment=True)
    return None


def bypasses_proxy(host: str) -> bool:
    """Whether NO_PROXY names `host` (as curl does, loopback is not skipped by itself)."""
    bypass: Callable[[str, dict[str, str]], object] = getattr(urllib.request, "proxy_bypass_environment")  # noqa: B009
    return bool(bypass(host, urllib.request.getproxies_environment()))


# -- the transport -------------------------------------------------------------------------------------

class PlainHttpRefusedError(Exception):
    """A request for plain http to another machine (a redirect target, a sign-in URL): never sent."""


class AnswerTooLargeError(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer is larger than {limit // (1024 * 1024)} MiB")
        self.limit = limit


class DeadlineExceededError(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s")
        self.seconds = seconds


def _httpx_exceptions() -> tuple[Any, dict[type[Exception], type[Exception]]]:
    import httpcore
    import httpx

    pairs = [
        (httpcore.ConnectTimeout, httpx.ConnectTimeout), (httpcore.ReadTimeout, httpx.ReadTimeout),
        (httpcore.WriteTimeout, httpx.WriteTimeout), (httpcore.PoolTimeout, httpx.PoolTimeout),
        (httpcore.TimeoutException, httpx.TimeoutException), (httpcore.ConnectError, httpx.ConnectError),
        (httpcore.ReadError, httpx.ReadError), (httpcore.WriteError, httpx.WriteError),
        (httpcore.ProxyError, httpx.ProxyError), (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
        (httpcore.LocalProtocolError, httpx.LocalProtocolError),
        (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol), (httpcore.NetworkError, httpx.NetworkError),
    ]
    return httpx, dict(pairs)


def _make_transport_class() -> type:
    """GuardedTransport, made when first needed (httpx and httpcore are the `register` extra's)."""
    import httpcore
    import httpx

    httpx_module, exception_map = _httpx_exceptions()

    class TransportFailureError(httpx.TransportError):
        """One of our own refusals, carried through httpx (MSAL calls the client directly)."""

        def __init__(self, reason: Exception) -> None:
            super().__init__(str(reason))
            self.reason = reason

    class DeadlineStream(httpcore.NetworkStream):
        def __init__(self, stream: httpcore.NetworkStream, transport: GuardedTransport) -> None:
            self.stream, self.transport = stream, transport

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self.stream.read(max_bytes, self.transport.time_left(timeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self.stream.write(buffer, self.transport.time_left(timeout))

        def close(self) -> None:
            self.stream.close()

        def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                      timeout: float | None = None) -> httpcore.NetworkStream:
            upgraded = self.stream.start_tls(ssl_context, server_hostname, self.transport.time_left(timeout))
            return DeadlineStream(upgraded, self.transport)

        def get_extra_info(self, info: str) -> Any:
            return self.stream.get_extra_info(info)

    class DeadlineBackend(httpcore.NetworkBackend):
        def __init__(self, transport: GuardedTransport) -> None:
            self.inner, self.transport = httpcore.SyncBackend(), transport

        def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                        socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
            stream = self.inner.connect_tcp(host, port, self.transport.time_left(timeout), local_address,
                                            socket_options)
            return DeadlineStream(stream, self.transport)

        def connect_unix_socket(self, path: str, timeout: float | None = None,
                                socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
            raise httpcore.ConnectError("otpburn does not connect to Unix sockets")

        def sleep(self, seconds: float) -> None:
            self.inner.sleep(seconds)

    class GuardedTransport(httpx.BaseTransport):
        """Plain http only to loopback and never proxied; https through `proxy` (CONNECT) unless NO_PROXY names
        the host; each answer read whole, at most `max_bytes`, within `seconds` of the request's start."""

        def __init__(self, ssl_context: ssl.SSLContext, proxy: Proxy | None, seconds: float,
                     max_bytes: int = MAX_ANSWER_BYTES) -> None:
            self.seconds, self.max_bytes, self.proxy = seconds, max_bytes, proxy
            self._local = threading.local()
            backend = DeadlineBackend(self)
            self.direct = httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=backend)
            self.proxied = None
            if proxy is not None:
                self.proxied = httpcore.ConnectionPool(
                    ssl_context=ssl_context, network_backend=backend,
                    proxy=httpcore.Proxy(proxy.url, auth=proxy.auth))

        def time_left(self, timeout: float | None) -> float:
            deadline: float | None = getattr(self._local, "deadline", None)
            if deadline is None:
                return timeout if timeout is not None else self.seconds
            left = deadline - time.monotonic()
            if left <= 0:
                raise TransportFailureError(DeadlineExceededError(self.seconds))
            return min(left, timeout) if timeout is not None else left

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            host = request.url.host
            if request.url.scheme == "http" and not is_loopback(host):
                raise TransportFailureError(PlainHttpRefusedError(f"plain http to {host}"))
            pool = self.direct
            if self.proxied is not None and self.proxy is not None and request.url.scheme == "https":
                if not (self.proxy.from_environment and bypasses_proxy(host)):
                    pool = self.proxied
            core_request = httpcore.Request(
                method=request.method,
                url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host, port=request.url.port,
                                 target=request.url.raw_path),
                headers=request.headers.raw, content=request.stream, extensions=request.extensions)
            self._local.deadline = time.monotonic() + self.seconds
            try:
                answer = pool.handle_request(core_request)
                try:
                    body = self._read(answer.stream)  # type: ignore[arg-type]  # a sync pool's stream
                finally:
                    answer.close()
            except TransportFailureError:
                raise
            except Exception as exc:
                mapped = next((to for kind, to in exception_map.items() if isinstance(exc, kind)), None)
                if mapped is None:
                    raise
                raise mapped(str(exc)) from exc
            finally:
                self._local.deadline = None
            kept = {key: value for key, value in answer.extensions.items() if key != "network_stream"}
            response: httpx.Response = httpx_module.Response(status_code=answer.status, headers=answer.headers,
                                                             content=body, extensions=kept)
            return response

        def _read(self, stream: Iterable[bytes]) -> bytes:
            chunks, size = [], 0
            for chunk in stream:
                size += len(chunk)
                if size > self.max_bytes:
                    raise TransportFailureError(AnswerTooLargeError(self.max_bytes))
                chunks.append(chunk)
            return b"".join(chunks)

        def close(self) -> None:
            self.direct.close()
            if self.proxied is not None:
                self.proxied.close()

    GuardedTransport.Failure = TransportFailureError  # type: ignore[attr-defined]
    return GuardedTransport


_TRANSPORT_CLASS: type | None = None


def guarded_transport(ssl_context: ssl.SSLContext, proxy: Proxy | None, seconds: float,
                      max_bytes: int = MAX_ANSWER_BYTES) -> Any:
    global _TRANSPORT_CLASS
    if _TRANSPORT_CLASS is None:
        _TRANSPORT_CLASS = _make_transport_class()
    return _TRANSPORT_CLASS(ssl_context, proxy, seconds, max_bytes)


def _failure_reason(exc: BaseException) -> Exception | None:
    """Our own refusal inside an httpx error, if it is one."""
    seen: BaseException | None = exc
    while seen is not None:
        reason = getattr(seen, "reason", None)
        if isinstance(reason, PlainHttpRefusedError | AnswerTooLargeError | DeadlineExceededError):
            return reason
        seen = seen.__cause__ or seen.__context__
    return None


# -- JSON answers --------------------------------------------------------------------------------------

class UnreadableAnswerError(ValueError):
    """An answer that is not the JSON a registrar can read (malformed, too deep, not UTF-8)."""


def parse_json(content: bytes) -> Any:
    """The JSON of an answer; UnreadableAnswerError for anything else (malformed, not UTF-8, or nested so
    deep that the parser gives up: it raises RecursionError, which is caught here, not a crash)."""
    try:
        return json_module.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UnreadableAnswerError(type(exc).__name__) from None


# -- the connection ------------------------------------------------------------------------------------

def connect(settings: RegistrarSettings, base_url: str, *, label: str, notify: Notify,
            **options: Any) -> Http:
    """The connection to a section's server, with the settings every section shares (ca-file, timeout, proxy)."""
    return Http(settings.system, base_url, label=label, ca_pem=ca_file(settings), timeout=connection_timeout(settings),
                proxy=settings.text("proxy"), notify=notify, **options)


def connection_timeout(settings: RegistrarSettings) -> float:
    return settings.number("timeout", 30, 1, 600)


class Http:
    """One server's connection: `request` answers with the response or raises RegistrationError."""

    def __init__(self, system: str, base_url: str, *, label: str, ca_pem: bytes | None = None,
                 timeout: float = 30.0, proxy: str | None = None, notify: Notify | None = None,
                 sleep: Callable[[float], None] = time.sleep, extra_urls: Mapping[str, str] | None = None) -> None:
        try:
            import certifi
            import httpx
        except ImportError:
            raise RegistrationError(f"registering tokens needs httpx: {install_command('register')}",
                                    problem=RegistrationProblem.SETTINGS, system=system, stage="settings") from None
        self.system, self.label, self.timeout = system, label, timeout
        self.notify = notify or (lambda text: None)
        self.sleep = sleep
        self.secrets: set[str] = set()  # every secret sent on this connection: masked in whatever is shown
        for url_label, url in {label: base_url, **(extra_urls or {})}.items():
            check_url(system, url_label, url)
            if urlsplit(url).scheme == "http":
                self.notify(f"warning: {tame(url, 120)} is plain http (allowed only because it is this machine; "
                            "it is never sent through a proxy)")
        self.base_url = base_url.rstrip("/")
        try:
            if ca_pem is not None:
                context = ssl.create_default_context(cadata=ca_pem.decode("ascii"))
            else:
                context = ssl.create_default_context(cafile=certifi.where())
        except (UnicodeDecodeError, ssl.SSLError, ValueError) as exc:
            raise self._settings(f"the CA file cannot be used ({one_line(exc, 80)})") from None
        self.proxy = choose_proxy(system, proxy)
        https_hosts = [urlsplit(url).hostname or "" for url in (base_url, *(extra_urls or {}).values())
                       if urlsplit(url).scheme == "https"]
        if self.proxy is not None and any(not (self.proxy.from_environment and bypasses_proxy(host))
                                          for host in https_hosts):
            self.notify(f"through the proxy {self.proxy.shown}")
        self._httpx = httpx
        self.transport = guarded_transport(context, self.proxy, timeout)
        self.transport_errors = (httpx.HTTPError,)
        # trust_env=False: no proxies, .netrc or certificate bundles from the environment behind our back.
        self.client = httpx.Client(transport=self.transport, trust_env=False, timeout=timeout,
                                   follow_redirects=False, headers={"User-Agent": f"otpburn/{__version__}"})

    def _settings(self, message: str) -> RegistrationError:
        return settings_problem(self.system, message)

    def sent_secret(self, *values: str) -> None:
        """Remember secrets this connection sends, so that no server text shown to the user repeats them."""
        self.secrets.update(value for value in values if value and len(value) >= 4)

    def shown(self, text: object, limit: int = 200) -> str:
        """A server's text as otpburn shows it: one printable line, the secrets it was sent masked."""
        cleaned = str(text)
        for value in sorted(self.secrets, key=len, reverse=True):
            for form in {value, quote(value, safe=""), quote_plus(value), json_module.dumps(value)[1:-1]}:
                cleaned = cleaned.replace(form, "•••")
        return one_line(cleaned, limit)

    def json(self, response: Any) -> Any:
        """The JSON of a response; UnreadableAnswerError when it holds none a registrar can read."""
        return parse_json(response.content)

    def request(self, method: str, path: str, *, stage: str, data: Mapping[str, str] | None = None,
                json: Any = None, params: Mapping[str, str] | None = None,
                headers: Mapping[str, str] | None = None, content: bytes | None = None) -> Any:
        """The httpx response (any status but a throttle the retries could not outwait)."""
        httpx = self._httpx
        url = path if path.startswith("https://") or path.startswith("http://") else self.base_url + path
        waits = 0
        while True:
            try:
                response = self.client.request(method, url, data=data, json=json, params=params, headers=headers,
                                               content=content)
            except httpx.InvalidURL:
                raise self._settings(f"{self.label} has an address httpx cannot use: {tame(self.base_url)!r}") \
                    from None
            except httpx.HTTPError as exc:
                raise self.transport_failure(exc, stage) from None
            if response.status_code not in THROTTLE_STATUSES:
                return response
            wait = retry_after_seconds(response.headers.get("Retry-After"), waits,
                                       response.headers.get("X-Rate-Limit-Reset"))
            busy = "throttles otpburn" if response.status_code == 429 else "is busy"
            if waits >= MAX_THROTTLE_WAITS or wait > MAX_THROTTLE_SECONDS:
                # A server's number: a Retry-After of 400 digits reads as inf seconds, not worth repeating
                asked = f"{wait:.0f} s more" if wait <= _A_DAY else "more than a day"
                raise RegistrationError(
                    f"{self.label} {busy} (HTTP {response.status_code}) and asks to wait {asked}",
                    problem=RegistrationProblem.RATE_LIMITED, system=self.system, stage=stage,
                    status=response.status_code, remedy=Remedy.RESUME_REGISTRATION)
            waits += 1
            self.notify(f"{self.label} {busy} (HTTP {response.status_code}); waiting {wait:.0f} s as it asks")
            self.sleep(wait)

    def transport_failure(self, exc: BaseException, stage: str) -> RegistrationError:
        """An httpx failure (ours, or the network's) as one RegistrationError."""
        reason = _failure_reason(exc)
        if isinstance(reason, PlainHttpRefusedError):
            return self._settings(f"{self.label} would have sent a request over plain http to another machine "
                                  f"({reason}); otpburn refused it")
        if isinstance(reason, AnswerTooLargeError):
            return RegistrationError(f"{self.label} sent an answer larger than any it should ({reason}); otpburn "
                                     "stopped reading it", problem=RegistrationProblem.SERVER, system=self.system,
                                     stage=stage, remedy=Remedy.REGISTRAR_SETTINGS)
        if isinstance(reason, DeadlineExceededError) or isinstance(exc, self._httpx.TimeoutException):
            return self._unreachable(f"{self.label} did not answer within {self.timeout:g} s", stage)
        if tls_failure(exc):
            return RegistrationError(f"the certificate of {self.label} ({tame(self.base_url, 120)}) cannot be "
                                     "verified", problem=RegistrationProblem.TLS, system=self.system, stage=stage,
                                     remedy=Remedy.REGISTRAR_CA)
        if isinstance(exc, self._httpx.ProxyError):
            shown = self.proxy.shown if self.proxy else "the proxy"
            return self._unreachable(f"the proxy {shown} did not connect otpburn to {self.label} "
                                     f"({self.shown(exc, 80)})", stage)
        return self._unreachable(f"cannot reach {self.label} at {tame(self.base_url, 120)} ({_reason(exc)})", stage)

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

