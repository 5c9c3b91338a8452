"""``python -m app serve`` stopped by a SIGTERM to its process group, again and again at
different moments (during start-up, just ready, serving): every process of the server, its
own group included, is gone within the grace period, and the access log has one line per
request, with the request id and a message."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sandbox.runner import free_port

GRACE = 6.0


def _sessions_alive(sids: set[int]) -> list[int]:
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, sid = fields[0], int(fields[3])
        if sid in sids and state != "Z":
            alive.append(int(entry.name))
    return alive


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("stop")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZSB_")}
    env.update(ZSB_DATABASE_URL=f"sqlite://{tmp}/stop.sqlite3", ZSB_LOG_LEVEL="INFO",
               ZSB_SHUTDOWN_GRACE_SECONDS=str(GRACE), ZSB_ACCESS_LOG="true")
    done = subprocess.run([sys.executable, "-m", "app", "migrate"], env=env,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return env


def _stop_once(env: dict[str, str], tmp_path: Path, moment: str, delay: float) -> str:
    port = free_port()
    log_path = tmp_path / f"serve-{moment}-{delay}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port)],
                                env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        if moment == "start-up":
            time.sleep(delay)
        else:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, log_path.read_text()[-3000:]
                time.sleep(0.1)
            if moment == "serving":
                for _ in range(3):
                    assert httpx.get(base + "/healthz", timeout=5).status_code == 200
            time.sleep(delay)
        sids = {proc.pid} | {pid for pid in _children(proc.pid)}
        stopped = time.monotonic()
        os.killpg(proc.pid, signal.SIGTERM)
        while _sessions_alive(sids) or proc.poll() is None:
            assert time.monotonic() - stopped < GRACE + 1.0, (
                f"{moment} +{delay}s: still alive {_sessions_alive(sids)}\\n"
                + log_path.read_text()[-3000:])
            time.sleep(0.05)
    return log_path.read_text()


@pytest.mark.timeout(600)
def test_stops_every_time_within_the_grace_period(env, tmp_path: Path) -> None:
    moments = [("start-up", 0.0), ("start-up", 0.4), ("start-up", 1.2), ("start-up", 2.5),
               ("ready", 0.0), ("ready", 0.5), ("serving", 0.0), ("serving", 0.2)]
    for moment, delay in moments:
        output = _stop_once(env, tmp_path, moment, delay)
        if moment == "serving":
            lines = [json.loads(line) for line in output.splitlines()
                     if line.startswith("{")]
            access = [entry for entry in lines if entry.get("logger") == "zsb.access"]
            assert len(access) >= 3
            assert all(entry.get("request_id") and entry["msg"] for entry in access)
            assert not [e for e in lines if e.get("logger") == "sanic.access"]
            assert "Traceback" not in output
