"""tortoise-orm configuration, lifecycle and the built-in migrations."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise

from app.settings import Settings, get_settings

# app label → model modules. Each label has its migrations in models/migrations/<label>/.
APPS: dict[str, list[str]] = {
    "core": ["models.core"],
    "identity": ["models.identity"],
    "catalogue": ["models.catalogue"],
    "cases": ["models.cases"],
    "payments": ["models.payments"],
    "wechat": ["models.wechat"],
    "alipay": ["models.alipay"],
    "push": ["models.push"],
    "express": ["models.express"],
}


def tortoise_config(settings: Settings | None = None) -> dict[str, Any]:
    s = settings or get_settings()
    url = s.database_url
    if url.startswith("postgres://") or url.startswith("postgresql://"):
        url = "asyncpg://" + url.split("://", 1)[1]
    credentials: dict[str, Any] = {}
    connection: Any = url
    if s.is_sqlite:
        path = url.split("://", 1)[1]
        # WAL lets readers run beside the one writer; busy_timeout waits instead of failing
        connection = {
            "engine": "tortoise.backends.sqlite",
            "credentials": {
                "file_path": path,
                "journal_mode": "wal",
                "journal_size_limit": 16384,
                "foreign_keys": "ON",
                **credentials,
            },
        }
    return {
        "connections": {"default": connection},
        "apps": {
            label: {
                "models": modules,
                "default_connection": "default",
                "migrations": f"models.migrations.{label}",
            }
            for label, modules in APPS.items()
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def __getattr__(name: str) -> Any:
    # ``tortoise`` CLI and [tool.tortoise] read TORTOISE_ORM lazily, from the settings in force
    if name == "TORTOISE_ORM":
        return tortoise_config()
    raise AttributeError(name)


async def init_db(settings: Settings | None = None) -> None:
    # Sanic runs listeners and request handlers in different tasks: the ORM context set up in
    # a listener must be visible to all of them (as tortoise.contrib.sanic does it)
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(settings: Settings | None = None) -> None:
    from tortoise.migrations.api import migrate as run

    try:
        await run(config=tortoise_config(settings))
    finally:
        await Tortoise.close_connections()
