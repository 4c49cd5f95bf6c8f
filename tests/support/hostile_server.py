"""A hostile identity server and a recording proxy, on loopback, for the registrars' hardening tests.

`HostileServer` answers every request the way its `mode` says (nesting, size, trickle, echo, redirect,
escapes) and counts what it managed to send before the client gave up. `RecordingProxy` is an HTTP
proxy that records every request line it is sent, tunnels CONNECT, and refuses to forward anything else.
"""

from __future__ import annotations

import http.server
import json
import select
import socket
import threading
import time
from urllib.parse import parse_qs


class HostileHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HostileHTTPServer

    def log_message(self, *args: object) -> None:
        pass

    def _form(self) -> dict[str, list[str]]:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        self.server.bodies.append(body)
        return parse_qs(body)

    def do_GET(self) -> None:  # noqa: N802
        if self.server.mode == "echo":  # lookups find nothing; what is sent (POST) is refused and quoted
            self._send(200, json.dumps({"result": {"status": True, "value": {"tokens": []}}}).encode())
            return
        self._answer({})

    def do_POST(self) -> None:  # noqa: N802
        self._answer(self._form())

    def _send(self, status: int, body: bytes, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _answer(self, form: dict[str, list[str]]) -> None:
        mode = self.server.mode
        if mode == "nested":  # valid JSON, nested far deeper than the parser's recursion limit
            depth = 200_000
            self._send(200, b"[" * depth + b"]" * depth)
        elif mode == "huge":  # 300 MB announced and streamed; a client that stops reading is seen as gone
            size = 300 * 1024 * 1024
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            chunk = b" " * (1 << 16)
            try:
                while self.server.sent < size:
                    self.wfile.write(chunk)
                    self.server.sent += len(chunk)
            except OSError:
                self.server.gave_up.set()
        elif mode == "trickle":  # headers at once, then one byte of the body every 0.2 s for a minute
            body = b" " * 300
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            try:
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    self.server.sent += 1
                    time.sleep(0.2)
            except OSError:
                self.server.gave_up.set()
        elif mode == "echo":  # a refusal that quotes the form it was sent, passwords and seeds included
            quoted = "; ".join(f"{key}={values[0]}" for key, values in form.items())
            self._send(400, json.dumps({"result": {"status": False, "error": {
                "code": 4031, "message": f"could not process {quoted} (raw: {self.server.bodies[-1]})"}}}).encode())
        elif mode == "redirect":
            self._send(302, b"", headers={"Location": "http://203.0.113.7/auth"})
        elif mode == "escapes":  # terminal escapes, a hyperlink and a bidirectional override in its texts
            message = ("\x1b]0;pwned\x07\x1b[2J\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\ "
                       "\u202egnp.exe\nFAKE: burned ok")
            self._send(400, json.dumps({"result": {"status": False, "error": {"code": 1, "message": message}},
                                        "version": message}).encode())
        else:
            self._send(500, b"{}")


class HostileHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), HostileHandler)
        self.mode = mode
        self.sent = 0
        self.bodies: list[str] = []
        self.gave_up = threading.Event()


class HostileServer:
    def __init__(self, mode: str) -> None:
        self.httpd = HostileHTTPServer(mode)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def sent(self) -> int:
        return self.httpd.sent

    @property
    def bodies(self) -> list[str]:
        return self.httpd.bodies

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class RecordingProxy:
    """An HTTP proxy on loopback: records request lines, tunnels CONNECT, answers 502 to anything else."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests: list[str] = []
        self.relayed = bytearray()  # every byte the client sent inside tunnels
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> RecordingProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                data = client.recv(4096)
                if not data:
                    return
                head += data
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            self.requests.append(line)
            method, target, _ = (line.split(" ") + ["", ""])[:3]
            if method != "CONNECT":
                client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            host, _, port = target.rpartition(":")
            try:
                upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
            except OSError:
                client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            with upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self._pipe(client, upstream)

    def _pipe(self, client: socket.socket, upstream: socket.socket) -> None:
        sockets = [client, upstream]
        while not self._stop.is_set():
            ready, _, _ = select.select(sockets, [], [], 0.5)
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    return
                if sock is client:
                    self.relayed += data
                (upstream if sock is client else client).sendall(data)
