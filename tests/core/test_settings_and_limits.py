from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from app.server import check_topology
from app.settings import DEV_SECRETS, Settings

# a seal key of its own (not the development key that ships in app/certificates/devkeys)
REAL_SEAL = "*:prod-1:hex:" + "5" * 64


def _real_secrets() -> dict[str, str]:
    """A value of its own for every secret that ships with a development default."""
    return {**{name: f"real-{name}-from-the-vault-0123456789"
               for name, field in Settings.model_fields.items()
               if isinstance(field.default, SecretStr)}, "seal_keys": REAL_SEAL,
            **_real_platforms()}


def _real_platforms() -> dict[str, str]:
    """A real-looking address for every platform and for ourselves (a production start
    refuses loopback ones)."""
    from app.settings import PLATFORM_URLS

    urls = {field: f"https://{platform}.example.cn/api"
            for platform, fields in PLATFORM_URLS.items() for field in fields}
    return {**urls, "public_base_url": "https://zsb.example.gov.cn"}


@pytest.fixture
def no_zsb_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings from the arguments alone: the suite's server exports ZSB_* for itself."""
    import os

    for name in [n for n in os.environ if n.startswith("ZSB_")]:
        monkeypatch.delenv(name)


def test_production_refuses_default_secrets_naming_the_setting(no_zsb_env: None) -> None:
    with pytest.raises(ValidationError) as err:
        Settings(env="production")
    assert "ZSB_JWT_SECRET" in str(err.value)
    # the secrets that check platform callbacks too: with a value anyone can read here, anyone
    # could forge a WeChat message or a courier's 签收
    almost = {**_real_secrets(), "wechat_token": Settings().wechat_token.get_secret_value(),
              "kuaidi100_salt": Settings().kuaidi100_salt.get_secret_value()}
    with pytest.raises(ValidationError) as err:
        Settings(env="production", **almost)
    assert "ZSB_WECHAT_TOKEN" in str(err.value) and "ZSB_KUAIDI100_SALT" in str(err.value)
    assert "ZSB_JWT_SECRET" not in str(err.value)


def test_production_starts_with_real_secrets(no_zsb_env: None) -> None:
    s = Settings(
        env="production",
        **{**_real_secrets(), "jwt_secret": "x" * 48,
           "pii_keys": "k2:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVoxMjM0NTY="},
    )
    masked = s.masked()
    assert masked["jwt_secret"] == "***"
    assert DEV_SECRETS["jwt_secret"] not in str(masked)


def test_production_refuses_the_shipped_seal_key(no_zsb_env: None, tmp_path) -> None:
    from app.settings import DEV_SEAL_KEY_FILE

    copy = tmp_path / "seal.pem"
    copy.write_bytes(open(DEV_SEAL_KEY_FILE, "rb").read())
    for spec in (Settings().seal_keys, f"GA:ga-1:{copy}", f"{REAL_SEAL},GA:ga-1:{copy}"):
        with pytest.raises(ValidationError) as err:
            Settings(env="production", **{**_real_secrets(), "jwt_secret": "x" * 48,
                                          "seal_keys": spec})
        assert "ZSB_SEAL_KEYS" in str(err.value)


def test_masked_settings_hide_database_password() -> None:
    s = Settings(database_url="postgres://zsb:hunter2@db.internal:5432/zsb")
    assert "hunter2" not in str(s.masked())


def test_several_workers_need_redis_and_postgres() -> None:
    embedded = Settings(redis_url=None, database_url="sqlite://var/x.sqlite3")
    assert check_topology(embedded, 1) is None
    assert "ZSB_REDIS_URL" in (check_topology(embedded, 2) or "")
    both = Settings(redis_url="redis://127.0.0.1:6379/0", database_url="postgres://x@h/db")
    assert check_topology(both, 4) is None


@pytest.mark.services  # starts the server in a process
def test_serve_refuses_several_workers_without_redis(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "ZSB_DATABASE_URL": f"sqlite://{tmp_path}/x.sqlite3"}
    proc = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--workers", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "ZSB_REDIS_URL" in proc.stderr


async def test_oversized_body_is_413_in_the_envelope(server, settings) -> None:
    # announce a body over the limit: the server answers before reading any of it
    host, port = server.base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /api/v1/auth/otp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {settings.request_max_bytes + 1}\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(
        next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")).split(b":")[
            1
        ]
    )
    body = json.loads(await reader.readexactly(length))
    writer.close()
    assert head.startswith(b"HTTP/1.1 413")
    assert body["error"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_wrong_method_is_405_in_the_envelope(api: httpx.AsyncClient) -> None:
    r = await api.delete("/healthz")
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_logs_mask_personal_data() -> None:
    from app.logs import scrub

    line = scrub("phone 13812345678 id 11010519491231002X Bearer abc.def.ghi code=123456")
    assert "13812345678" not in line and "138****5678" in line
    assert "11010519491231002X" not in line and "110***********002X" in line
    assert "abc.def.ghi" not in line
    assert "123456" not in line


async def test_sqlite_synchronous_setting_reaches_the_connection(tmp_path) -> None:
    """WAL + NORMAL by default (SQLite's advice for WAL); FULL when asked for."""
    from tortoise.backends.sqlite.client import SqliteClient

    from app.db import tortoise_config

    for wanted, code in (("NORMAL", 1), ("FULL", 2)):
        s = Settings(database_url=f"sqlite://{tmp_path}/{wanted}.db", sqlite_synchronous=wanted)
        creds = tortoise_config(s)["connections"]["default"]["credentials"]
        client = SqliteClient(connection_name="probe", **creds)
        await client.create_connection(with_db=True)
        try:
            _, rows = await client.execute_query("PRAGMA synchronous")
            _, mode = await client.execute_query("PRAGMA journal_mode")
        finally:
            await client.close()
        assert (rows[0][0], mode[0][0]) == (code, "wal")


def test_ios_pushes_use_apns_production_in_production(no_zsb_env: None) -> None:
    from channels.jpush.notifier import build

    production = {**_real_secrets(), "jwt_secret": "x" * 48,
                  "pii_keys": "k2:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVoxMjM0NTY="}
    assert build(Settings(env="test"), None, None).apns_production is False  # type: ignore[arg-type]
    assert build(Settings(env="test", jpush_apns_production=True), None, None  # type: ignore[arg-type]
                 ).apns_production is True
    assert build(Settings(env="production", **production), None, None  # type: ignore[arg-type]
                 ).apns_production is True
    assert build(Settings(env="production", jpush_apns_production=False, **production),  # type: ignore[arg-type]
                 None, None).apns_production is False
