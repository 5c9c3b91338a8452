"""The real command line, as ``make run`` uses it: migrate, seed the demo, serve, answer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from sandbox.runner import free_port


def _env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZSB_")}
    env.update(ZSB_DATABASE_URL=f"sqlite://{tmp_path}/demo.sqlite3", ZSB_LOG_LEVEL="WARNING")
    return env


@pytest.mark.timeout(300)
@pytest.mark.services
def test_migrate_seed_and_serve_the_demo_catalogue(tmp_path) -> None:
    env = _env(tmp_path)
    for command in (["migrate"], ["seed-demo"]):
        done = subprocess.run(
            [sys.executable, "-m", "app", *command], env=env, capture_output=True, timeout=120
        )
        assert done.returncode == 0, done.stderr.decode()[-2000:]
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 150  # a loaded CI machine starts slowly
        while True:
            try:
                ready = httpx.get(base + "/readyz", timeout=2)
                if ready.status_code == 200:
                    break
                print(ready.text)
            except httpx.HTTPError:
                pass
            output = (tmp_path / "serve.log").read_text()[-3000:]
            assert proc.poll() is None, output
            assert time.monotonic() < deadline, f"the server did not become ready:\n{output}"
            time.sleep(0.2)
        items = httpx.get(base + "/api/v1/items", timeout=10)
        assert items.status_code == 200, items.text
        assert len(items.json()["items"]) >= 20
        assert httpx.get(base + "/docs/openapi.json", timeout=10).status_code == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()
