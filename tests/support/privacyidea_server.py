"""A real privacyIDEA server (from the package index) on loopback, with sqlite in a temporary folder; and
eduMFA, the privacyIDEA fork with the same REST API, the same way (`EduMfaServer`).

privacyIDEA lives in its own virtual environment (scripts/test.sh makes it: `.venv-privacyidea`,
or the one OTPBURN_PRIVACYIDEA_VENV names) so its Flask/SQLAlchemy stack never mixes with the
tool under test. The harness writes `pi.cfg`, runs pi-manage's setup (encryption key, audit
keys, tables, an administrator), starts `pi-manage run` and, over the REST API, makes a realm
whose users come from a passwd-style flat file.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADMIN, ADMIN_PASSWORD = "admin", "station-admin-pw"
REALM = "example"
USERS = {"alice": "Alice Example", "bob": "Bob Builder", "carol": "Carol Jones"}
START_POLLS = 600  # readiness polls, 0.1 s apart


def venv() -> Path:
    return Path(os.environ.get("OTPBURN_PRIVACYIDEA_VENV", ROOT / ".venv-privacyidea"))


def available() -> bool:
    return (venv() / "bin" / "pi-manage").exists()


def edumfa_venv() -> Path:
    return Path(os.environ.get("OTPBURN_EDUMFA_VENV", ROOT / ".venv-edumfa"))


def edumfa_available() -> bool:
    return (edumfa_venv() / "bin" / "edumfa-manage").exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivacyIdeaServer:
    name = "privacyIDEA"
    manage = "pi-manage"
    config_variable, config_prefix = "PRIVACYIDEA_CONFIGFILE", "PI_"
    setup_commands: tuple[tuple[str, ...], ...] = (("setup", "create_enckey"), ("setup", "create_audit_keys"),
                                                    ("setup", "create_tables"))
    auth_header = "PI-Authorization"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.config = folder / "server.cfg"
        self.env = {**os.environ, self.config_variable: str(self.config)}
        self._token: str | None = None

    def _venv(self) -> Path:
        return venv()

    def _manage(self, *args: str) -> None:
        subprocess.run([str(self._venv() / "bin" / self.manage), *args], env=self.env, check=True,
                       capture_output=True, timeout=300, cwd=self.folder)

    def set_up(self) -> PrivacyIdeaServer:
        folder = self.folder
        prefix = self.config_prefix
        lines = {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'server.sqlite'}",
            "SECRET_KEY": secrets.token_hex(16), f"{prefix}PEPPER": secrets.token_hex(16),
            f"{prefix}ENCFILE": str(folder / "enckey"), f"{prefix}AUDIT_KEY_PRIVATE": str(folder / "private.pem"),
            f"{prefix}AUDIT_KEY_PUBLIC": str(folder / "public.pem"), f"{prefix}LOGFILE": str(folder / "server.log.txt"),
        }
        self.config.write_text("".join(f"{key} = {value!r}\n" for key, value in lines.items())
                               + f"{prefix}LOGLEVEL = 30\n")
        for command in self.setup_commands:
            self._manage(*command)
        self._manage("admin", "add", ADMIN, "-p", ADMIN_PASSWORD)
        self.start()
        users = folder / "users"
        users.write_text("".join(f"{name}:x:{1000 + n}:{1000 + n}:{full},,,:/home/{name}:/bin/sh\n"
                                 for n, (name, full) in enumerate(USERS.items())))
        self.admin("POST", "/resolver/flatfile", {"type": "passwdresolver", "fileName": str(users)})
        self.admin("POST", f"/realm/{REALM}", {"resolvers": "flatfile"})
        self.admin("POST", f"/defaultrealm/{REALM}", {})
        return self

    def start(self) -> None:
        log = (self.folder / "server.log").open("ab")
        self.process = subprocess.Popen(
            [str(self._venv() / "bin" / self.manage), "run", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.folder, start_new_session=True)
        for _ in range(START_POLLS):
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.folder / 'server.log'}")
            try:
                urllib.request.urlopen(self.url + "/auth", timeout=2)  # noqa: S310 (loopback, fixed scheme)
            except urllib.error.HTTPError:
                return  # it answers (405 for GET /auth): up
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        self.process = None

    def admin(self, method: str, path: str, form: dict | None = None, params: dict | None = None) -> object:
        """An administrator's REST call (the test's own view of the server): the result's value."""
        self._sign_in()
        url = self.url + path + ("?" + urllib.parse.urlencode(params) if params else "")
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(url, data=data, method=method,  # noqa: S310 (loopback)
                                         headers={self.auth_header: self._token})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                body = json.load(answer)
        except urllib.error.HTTPError as exc:
            body = json.load(exc)
        if not body["result"]["status"]:
            raise RuntimeError(f"{self.name} refused {method} {path}: {body['result'].get('error')}")
        return body["result"]["value"]

    def _sign_in(self) -> str:
        if self._token is None:
            self._token = "?"
            self._token = self.admin("POST", "/auth", {"username": ADMIN, "password": ADMIN_PASSWORD})["token"]
        return self._token

    def load_tokens(self, filename: str, data: bytes, file_type: str, **form: str) -> dict:
        """privacyIDEA's own importer, as its web UI's "Import tokens" calls it: POST /token/load/FILENAME with
        the file as a multipart upload. The result's value ({"n_imported": N, ...})."""
        boundary = secrets.token_hex(16)
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                 for name, value in {"type": file_type, **form}.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {self.auth_header: self._sign_in(), "Content-Type": f"multipart/form-data; boundary={boundary}"}
        url = f"{self.url}/token/load/{urllib.parse.quote(filename)}"
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 (loopback)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
                result = json.load(answer)["result"]
        except urllib.error.HTTPError as exc:
            result = json.load(exc)["result"]
        if not result["status"]:
            raise RuntimeError(f"{self.name} refused the import of {filename}: {result.get('error')}")
        return result["value"]

    def token(self, serial: str) -> dict | None:
        tokens = self.admin("GET", "/token/", params={"serial": serial})["tokens"]
        return tokens[0] if tokens else None

    def validate(self, serial: str, code: str) -> bool:
        request = urllib.request.Request(self.url + "/validate/check", method="POST",  # noqa: S310
                                         data=urllib.parse.urlencode({"serial": serial, "pass": code}).encode())
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return json.load(answer)["result"]["value"] is True

    def registrar_file(self, folder: Path, name: str = "privacyidea", **extra: str) -> Path:
        """A registrar file for this server, the admin's password in a private file beside it."""
        password = folder / f"{name}-password"
        password.write_text(ADMIN_PASSWORD + "\n")
        password.chmod(0o600)
        values = {"system": "privacyidea", "url": self.url, "admin": ADMIN, "password-file": str(password),
                  "realm": REALM, **extra}
        path = folder / "registrars.toml"
        text = path.read_text() if path.exists() else ""
        path.write_text(text + f"[{name}]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()))
        return path


class EduMfaServer(PrivacyIdeaServer):
    """eduMFA (the privacyIDEA 3.9 fork): the same REST API, its own names for the manage script, the
    configuration and the authorization header (`Authorization`)."""

    name = "eduMFA"
    manage = "edumfa-manage"
    config_variable, config_prefix = "EDUMFA_CONFIGFILE", "EDUMFA_"
    setup_commands = (("create_enckey",), ("create_audit_keys",), ("create_tables",))
    auth_header = "Authorization"

    def _venv(self) -> Path:
        return edumfa_venv()
