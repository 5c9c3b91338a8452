"""The real server (the app of ``python -m app serve``, in one process) on throw-away
services, for fault tests: migrated, with an admin account, its log kept for the test to read."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from sandbox.runner import free_port

PASSWORD = "fault test password 1"


@dataclass
class Served:
    base_url: str
    log: Path
    env: dict[str, str]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    async def staff_admin(self, username: str = "fault-admin") -> dict[str, str]:
        await _run(self.env, "create-department", "GA", "公安局")
        await _run(self.env, "create-staff", username, "--department", "GA", "--role", "admin")
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as client:
            r = await client.post("/api/v1/staff/auth/login",
                                  json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def _run(env: dict[str, str], *argv: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", *argv, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, out.decode()[-3000:]


@asynccontextmanager
async def served(tmp_path: Path, settings: dict[str, str],
                 prepare: tuple[tuple[str, ...], ...] = ()) -> AsyncIterator[Served]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZSB_")}
    env.update(
        ZSB_ENV="test", ZSB_LOG_LEVEL="INFO", ZSB_ACCESS_LOG="false",
        ZSB_BACKGROUND_TASKS="false", ZSB_UPLOAD_DIR=str(tmp_path / "uploads"),
        ZSB_STAFF_PASSWORD=PASSWORD, ZSB_WORKERS="1",
    )
    env.update(settings)
    await _run(env, "migrate")
    for command in prepare:
        await _run(env, *command)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.faults.single", str(port), env=env,
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        async with httpx.AsyncClient(timeout=2) as client:
            while True:
                try:
                    if (await client.get(base + "/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert proc.returncode is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                await asyncio.sleep(0.2)
        yield Served(base, log, env)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            os.killpg(proc.pid, signal.SIGKILL)
