"""Throw-away PostgreSQL clusters and Redis servers for fault tests, started from the machine's
binaries on free ports, never the shared services on 5432/6379.

``initdb`` refuses to run as root: as root the cluster belongs to the ``postgres`` system user
(Debian's packages create it), and its folder lives under a fresh directory that user can
enter (pytest's own ``tmp_path`` is private to root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sandbox.runner import free_port


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "nobody"
    return "postgres"


@dataclass
class PgCluster:
    bin: Path
    data: Path
    port: int
    user: str | None
    log: Path

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), *args],
            check=True, capture_output=True, timeout=timeout, user=self.user,
        )

    def start(self) -> None:
        self._ctl("-w", "-o", f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1",
                  "start")

    def kill(self) -> None:
        """The whole server killed outright (SIGKILL to the postmaster and its backends), as
        a crash or an OOM kill would; the next start replays the WAL."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True).stdout.split()
        pids = [pid, *(int(c) for c in children)]
        for each in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(each, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.02)

    def stop(self) -> None:
        try:
            self._ctl("-m", "immediate", "stop", timeout=30)
        except subprocess.CalledProcessError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a killed child of the postmaster stays a zombie until init reaps it
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    return False


@contextmanager
def pg_cluster() -> Iterator[PgCluster]:
    bin_dir = _pg_bin()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) not found")
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found")
    user = _run_as()
    root = Path(tempfile.mkdtemp(prefix="zsb-pg-"))
    data = root / "data"
    data.mkdir()
    if user:
        entry = pwd.getpwnam(user)
        for path in (root, data):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    subprocess.run(
        [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
         "--no-sync", "-E", "UTF8", "--locale", "C"],
        check=True, capture_output=True, timeout=120, user=user,
    )
    cluster = PgCluster(bin_dir, data, free_port(), user, data / "server.log")
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class RedisServer:
    port: int
    proc: subprocess.Popen[bytes]
    paused: bool = field(default=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def pause(self) -> None:
        self.proc.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        self.proc.send_signal(signal.SIGCONT)
        self.paused = False

    def stop(self) -> None:
        if self.paused:
            self.resume()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def restart(self) -> None:
        """A fresh server on the same port, with nothing kept (no persistence)."""
        self.stop()
        self.proc = _start_redis(self.port)


def _start_redis(port: int) -> subprocess.Popen[bytes]:
    binary = shutil.which("redis-server")
    assert binary is not None
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.05)


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server not found")
        pytest.skip("redis-server not found")
    port = free_port()
    server = RedisServer(port, _start_redis(port))
    try:
        yield server
    finally:
        server.stop()
