"""A private pcscd with a vsmartcard vpcd reader on loopback: the real PC/SC stack for
tests, benchmarks and trying otpburn without hardware.

pyscard -> pcscd -> vpcd (libifdvpcd) -> TCP 127.0.0.1 -> VpcdBridge -> emulated token.

vpcd listens on every interface. pcscd therefore runs in a network namespace of its
own (`unshare --net`) whose only interface is loopback; the bridge joins that
namespace for its socket. pyscard still reaches pcscd through its Unix socket.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

VPCD_DRIVERS = (
    "/usr/lib/pcsc/drivers/serial/libifdvpcd.so",
    "/usr/lib64/pcsc/drivers/serial/libifdvpcd.so",
    "/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so",
)
PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
READER_NAME = "Virtual PCD 00 00"


class StackError(RuntimeError):
    pass


def vpcd_driver() -> str:
    for path in VPCD_DRIVERS:
        if os.path.exists(path):
            return path
    raise StackError("vsmartcard's vpcd driver is not installed (Debian: apt-get install vsmartcard-vpcd)")


def pcscd_running() -> bool:
    if not PCSCD_SOCKET.exists():
        return False
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(PCSCD_SOCKET))
        except OSError:
            return False
    return True


class PcscdStack:
    """Starts pcscd, isolated in its own network namespace, with one vpcd reader.

    Connect a VpcdBridge with `netns=stack.netns` and `port=stack.port`. `more_readers`:
    further vpcd readers as (name, port), e.g. one named like a Molto2 (a USB token that is a
    reader of its own); pcscd lists each as "NAME 00 00" (vpcd adds a second slot, "NAME 00 01",
    on port + 1: leave that port free).
    """

    def __init__(self, port: int = 35963, workdir: str | os.PathLike[str] | None = None,
                 reader_name: str = "Virtual PCD", more_readers: tuple[tuple[str, int], ...] = ()) -> None:
        self.port = port
        self.readers = ((reader_name, port), *more_readers)
        self._own_dir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="otpburn-pcscd-"))
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.workdir / "pcscd.log"

    def start(self, timeout: float = 10.0) -> PcscdStack:
        pcscd = shutil.which("pcscd") or "/usr/sbin/pcscd"
        if not os.path.exists(pcscd):
            raise StackError("pcscd is not installed (Debian: apt-get install pcscd)")
        if pcscd_running():
            raise StackError(
                "another pcscd is already running; stop it first (systemctl stop pcscd.socket pcscd)"
            )
        confdir = self.workdir / "reader.conf.d"
        confdir.mkdir(parents=True, exist_ok=True)
        drivers = [vpcd_driver()]
        for index in range(1, len(self.readers)):
            # vpcd keeps its slots in the driver's static memory: a second reader needs its own copy
            # of the library (another file, so the loader maps it apart), or both readers share one card.
            copy = self.workdir / f"libifdvpcd-{index}.so"
            shutil.copy(drivers[0], copy)
            drivers.append(str(copy))
        (confdir / "otpburn-vpcd").write_text("\n".join(
            f'FRIENDLYNAME "{name}"\n'
            f"DEVICENAME   /dev/null:{port:#x}\n"
            f"LIBPATH      {driver}\n"
            f"CHANNELID    {port:#x}\n"
            for (name, port), driver in zip(self.readers, drivers, strict=True)))
        log = open(self.log_path, "wb")
        unshare = shutil.which("unshare")
        ip = shutil.which("ip") or "/usr/sbin/ip"
        if not unshare or not os.path.exists(ip):
            raise StackError("unshare (util-linux) and ip (iproute2) are needed to isolate pcscd")
        script = f'"{ip}" link set lo up && exec "{pcscd}" --foreground --config "{confdir}" --info'
        self.process = subprocess.Popen(
            [unshare, "--net", "--", "sh", "-c", script],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StackError(f"pcscd exited at start (code {self.process.returncode}); see {self.log_path}")
            if pcscd_running() and self._reader_listed():
                return self
            time.sleep(0.05)
        self.stop()
        raise StackError(f"pcscd did not come up within {timeout:.0f} s; see {self.log_path}")

    @property
    def netns(self) -> str:
        if self.process is None:
            raise StackError("pcscd is not running")
        return f"/proc/{self.process.pid}/ns/net"

    def _reader_listed(self) -> bool:
        from smartcard import scard

        code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if code != scard.SCARD_S_SUCCESS:
            return False
        try:
            code, readers = scard.SCardListReaders(context, [])
            return code == scard.SCARD_S_SUCCESS and all(f"{name} 00 00" in readers for name, _ in self.readers)
        finally:
            scard.SCardReleaseContext(context)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> PcscdStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
