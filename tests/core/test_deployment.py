"""The deployment guide's pieces work: its systemd units verify, and a pg_dump restored into
a throw-away database serves."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from sandbox.runner import free_port

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN_URL = os.environ.get("ZSB_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
@pytest.mark.parametrize("unit", ["zsb-server.service", "zsb-worker.service"])
def test_the_systemd_units_verify(unit: str, tmp_path: Path) -> None:
    # the units as installed, with this checkout standing in for /opt/zsb
    env_file = tmp_path / "zsb.env"
    env_file.write_text("ZSB_ENV=development\n")
    (ROOT / "var").mkdir(exist_ok=True)
    text = (ROOT / "deploy" / unit).read_text()
    text = (text.replace("/opt/zsb", str(ROOT)).replace("/etc/zsb/zsb.env", str(env_file))
            .replace("User=zsb", "User=root").replace("Group=zsb", "Group=root"))
    (tmp_path / unit).write_text(text)
    done = subprocess.run(["systemd-analyze", "verify", str(tmp_path / unit)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.mark.timeout(600)
@pytest.mark.skipif(os.environ.get("ZSB_TEST_BACKEND", "postgres") != "postgres"
                    or shutil.which("pg_dump") is None, reason="PostgreSQL pass with pg_dump")
def test_a_dump_restores_into_a_new_database_and_serves(tmp_path: Path) -> None:
    source, target = (f"zsb_dump_{uuid.uuid4().hex[:8]}" for _ in range(2))
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    asyncio.run(_admin(f'CREATE DATABASE "{source}"'))
    asyncio.run(_admin(f'CREATE DATABASE "{target}"'))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZSB_")}
    env.update(ZSB_LOG_LEVEL="WARNING", ZSB_BACKGROUND_TASKS="false")
    proc = None
    try:
        src_env = {**env, "ZSB_DATABASE_URL": f"{base}/{source}"}
        for command in (["migrate"], ["seed-demo"]):
            done = subprocess.run([sys.executable, "-m", "app", *command], env=src_env,
                                  capture_output=True, timeout=300)
            assert done.returncode == 0, done.stderr[-2000:]
        dump = tmp_path / "zsb.dump"
        subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", f"{base}/{source}"],
                       check=True, timeout=120)
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={base}/{target}", str(dump)],
                       check=True, timeout=120)
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(port)],
            env={**env, "ZSB_DATABASE_URL": f"{base}/{target}"}, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 150
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.3)
        items = httpx.get(f"http://127.0.0.1:{port}/api/v1/items", timeout=10).json()
        assert len(items["items"]) >= 20
    finally:
        if proc is not None:
            import signal

            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)
        for name in (source, target):
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
