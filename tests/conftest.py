"""The test harness: a fresh database per run, every simulator on loopback, and our server
served on a real port, so tests speak HTTP to it exactly as clients and platforms do.

Backend: ``ZSB_TEST_BACKEND=postgres`` (default: PostgreSQL at 127.0.0.1:5432 and Redis at
127.0.0.1:6379, a new database and key prefix per run) or ``sqlite`` (the embedded default:
SQLite file and in-process store). When ``CI`` is set, a missing service fails the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sanic import Sanic

from app.settings import Settings, reset_settings_cache
from sandbox import SIMULATORS
from sandbox.runner import RunningSimulator, start
from tests.support import log_capture
from tests.support.pii_registry import new_ip, new_phone

# every log line of the session, from the first, for tests/privacy/test_no_plaintext.py
log_capture.install()

BACKEND = os.environ.get("ZSB_TEST_BACKEND", "postgres")
# what a test asks for when it needs PostgreSQL/Redis (or the SQLite file), a simulator, a
# throw-away database or the server: ``--unit`` (``make test-unit``) keeps only the tests that
# ask for none of them and are not marked ``services`` (a test that starts processes itself)
SERVICE_FIXTURES = frozenset({"settings", "sims", "server_socket", "server", "api", "kv",
                              "citizen", "staff", "sim", "http", "merchant", "client",
                              "postgres"})


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--unit", action="store_true",
                     help="only tests that need no database, key-value store or simulator")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--unit"):
        return
    keep = [i for i in items if not SERVICE_FIXTURES & set(getattr(i, "fixturenames", ()))
            and i.get_closest_marker("services") is None]
    kept = {id(i) for i in keep}
    config.hook.pytest_deselected(items=[i for i in items if id(i) not in kept])
    items[:] = keep
PG_ADMIN_URL = os.environ.get("ZSB_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("ZSB_TEST_REDIS", "redis://127.0.0.1:6379/0")
RUN_ID = uuid.uuid4().hex[:8]


def _reachable(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def _require_services() -> None:
    missing = [
        n for n, p in (("PostgreSQL", 5432), ("Redis", 6379)) if not _reachable("127.0.0.1", p)
    ]
    if not missing:
        return
    message = f"{' and '.join(missing)} not reachable on 127.0.0.1"
    if os.environ.get("CI"):
        pytest.exit(f"CI needs real services: {message}", returncode=3)
    pytest.skip(message, allow_module_level=True)


async def _create_pg_database(name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def _drop_pg_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def sims() -> AsyncIterator[dict[str, RunningSimulator]]:
    running: dict[str, RunningSimulator] = {}
    for module_name in SIMULATORS:
        module = importlib.import_module(module_name)
        running[module_name.rsplit(".", 1)[1]] = await start(module.create_app())
    yield running
    for sim in running.values():
        await sim.stop()


@pytest.fixture(scope="session")
def server_socket() -> socket.socket:
    """The server's port, taken before the settings are made, so that the public base URL
    is the server's real address (a browser follows redirects and links to it)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="session")
async def settings(
    sims: dict[str, RunningSimulator], tmp_path_factory: pytest.TempPathFactory,
    server_socket: socket.socket,
) -> AsyncIterator[Settings]:
    tmp = tmp_path_factory.mktemp("zsb")
    env: dict[str, str] = {
        "env": "test",
        "public_base_url": f"http://127.0.0.1:{server_socket.getsockname()[1]}",
        "background_tasks": "false",
        "upload_dir": str(tmp / "uploads"),
        "proxies_count": "1",
        "otp_per_ip_per_hour": "30",
        "log_level": "INFO",
    }
    db_name = f"zsb_test_{RUN_ID}"
    if BACKEND == "postgres":
        _require_services()
        env["database_url"] = await _create_pg_database(db_name)
        env["redis_url"] = REDIS_URL
        env["kv_prefix"] = f"zsb:test:{RUN_ID}:"
    else:
        env["database_url"] = f"sqlite://{tmp / 'zsb.sqlite3'}"
    for name, sim in sims.items():
        module = importlib.import_module(f"sandbox.{name}")
        env.update(module.zsb_settings(sim.base_url))
    saved = {k: os.environ.get(k) for k in list(os.environ) if k.startswith("ZSB_")}
    for key in saved:
        os.environ.pop(key)
    for key, value in env.items():
        os.environ[f"ZSB_{key.upper()}"] = value
    reset_settings_cache()
    from app.security import pii

    pii.keyring.cache_clear()
    yield Settings()
    # the database is kept until the very end: the last tests scan it
    if BACKEND == "postgres" and not os.environ.get("ZSB_TEST_KEEP_DB"):
        await _drop_pg_database(db_name)
        await _flush_redis_prefix(env["kv_prefix"])


async def _flush_redis_prefix(prefix: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL)
    try:
        keys = [k async for k in client.scan_iter(match=f"{prefix}*", count=1000)]
        for i in range(0, len(keys), 500):
            await client.delete(*keys[i : i + 500])
    finally:
        await client.aclose()


@dataclass
class RunningServer:
    app: Sanic
    base_url: str


@pytest.fixture(scope="session")
async def server(
    settings: Settings, sims: dict[str, RunningSimulator], server_socket: socket.socket
) -> AsyncIterator[RunningServer]:
    from app import create_app
    from app.db import migrate

    await migrate(settings)
    Sanic.test_mode = True
    app = create_app(settings, name=f"zsb_test_{RUN_ID}")
    sock = server_socket
    port = sock.getsockname()[1]
    srv = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    assert srv is not None
    await srv.startup()
    await srv.before_start()
    await srv.after_start()
    base_url = f"http://127.0.0.1:{port}"
    for sim in sims.values():
        sim.app["zsb_base_url"] = base_url
    yield RunningServer(app, base_url)
    await srv.before_stop()
    await srv.close()
    await srv.after_stop()


@pytest.fixture(scope="session")
async def api(server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def kv(server: RunningServer) -> Any:
    return server.app.ctx.kv


@dataclass
class Citizen:
    person_id: int
    phone: str
    access: str
    refresh: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}


async def latest_sms_code(sims: dict[str, RunningSimulator], phone: str) -> str:
    for _ in range(50):
        messages = [m for m in sims["sms"].app["state"]["messages"] if m["phone"] == phone]
        if messages:
            return str(messages[-1]["params"]["code"])
        await asyncio.sleep(0.02)
    raise AssertionError(f"no SMS reached the simulator for {phone[:3]}****")


async def skip_resend_wait(kv: Any, phone: str) -> None:
    """Stand-in for the 60 seconds a person waits before asking for another code."""
    from app.security import pii

    await kv.delete(f"otp-resend:{pii.blind_index(phone, 'phone')}")


@pytest.fixture(scope="session")
def citizen(
    api: httpx.AsyncClient, sims: dict[str, RunningSimulator], kv: Any
) -> Callable[..., Awaitable[Citizen]]:
    """``await citizen()`` logs a new person in through the app channel's SMS code;
    ``await citizen(phone=p)`` logs the same phone in again (a new session)."""

    async def login(phone: str | None = None, device: str | None = "pytest") -> Citizen:
        if phone:
            await skip_resend_wait(kv, phone)
        phone = phone or new_phone()
        headers = {"X-Forwarded-For": new_ip()}
        r = await api.post("/api/v1/auth/otp", json={"phone": phone}, headers=headers)
        assert r.status_code == 200, r.text
        code = await latest_sms_code(sims, phone)
        r = await api.post(
            "/api/v1/auth/otp/login",
            json={"phone": phone, "code": code, "device": device},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        data = r.json()
        return Citizen(data["person_id"], phone, data["access_token"], data["refresh_token"])

    return login


@dataclass
class StaffUser:
    id: int
    username: str
    department_id: int
    department_code: str
    access: str
    refresh: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}


STAFF_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def staff(api: httpx.AsyncClient, server: RunningServer) -> Callable[..., Awaitable[StaffUser]]:
    """``await staff(roles=["clerk"], department="GA")`` creates and logs in a staff member."""

    async def make(roles: list[str] | None = None, department: str = "GA") -> StaffUser:
        from app.staff import create_staff_account
        from models.core import Department

        dept, _ = await Department.get_or_create(
            code=department, defaults={"name": f"测试部门{department}"}
        )
        username = f"staff_{uuid.uuid4().hex[:10]}"
        account = await create_staff_account(
            username, STAFF_PASSWORD, roles or ["clerk"], department
        )
        r = await api.post(
            "/api/v1/staff/auth/login", json={"username": username, "password": STAFF_PASSWORD}
        )
        assert r.status_code == 200, r.text
        data = r.json()
        return StaffUser(
            account.id, username, dept.id, department, data["access_token"], data["refresh_token"]
        )

    return make
