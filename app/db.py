"""tortoise-orm configuration, lifecycle and the built-in migrations."""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.client import TransactionContextPooled
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import get_connections

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
    "ratings": ["models.ratings"],
    "tickets": ["models.tickets"],
    "jobs": ["models.jobs"],
    "certificates": ["models.certificates"],
    "handling": ["models.handling"],
    "supervision": ["models.supervision"],
    "reforms": ["models.reforms", "models.appointments", "models.bundles"],
}


def tortoise_config(settings: Settings | None = None) -> dict[str, Any]:
    s = settings or get_settings()
    url = s.database_url
    if url.startswith("postgres://") or url.startswith("postgresql://"):
        url = "asyncpg://" + url.split("://", 1)[1]
    if url.startswith("asyncpg://") and "maxsize=" not in url:
        url += ("&" if "?" in url else "?") + f"maxsize={s.db_pool_max}"
    credentials: dict[str, Any] = {}
    connection: Any = url
    if url.startswith("asyncpg://"):
        connection = expand_db_url(url)
        connection["credentials"]["reset"] = release_connection
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
                "synchronous": s.sqlite_synchronous,
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


async def release_connection(conn: Any) -> None:
    """What the asyncpg pool does to a connection given back (its default sends
    ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` every time, one
    more round trip for every query made outside a transaction). Nothing here uses session
    state — no advisory locks, cursors, LISTEN or session-level SET — so only a transaction
    left open by an interrupted caller is rolled back."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


def __getattr__(name: str) -> Any:
    # ``tortoise`` CLI and [tool.tortoise] read TORTOISE_ORM lazily, from the settings in force
    if name == "TORTOISE_ORM":
        return tortoise_config()
    raise AttributeError(name)


def _release_on_failed_begin() -> None:
    """tortoise's pooled transaction takes a connection and makes itself the task's current
    connection before ``BEGIN``; when ``BEGIN`` fails (the database just went away) its
    ``__aexit__`` never runs, so the connection is never given back and the task keeps the dead
    transaction as its connection. Sanic serves every request of a keep-alive connection in one
    task: each later request there nested into it and failed, and the pool shrank by one
    connection per failure until nothing could be acquired. Wrapped here (tortoise 1.1) so a
    failed ``BEGIN`` undoes both before the error goes on."""
    original = TransactionContextPooled.__aenter__
    if getattr(original, "_zsb_wrapped", False):
        return

    async def __aenter__(self: TransactionContextPooled) -> Any:
        try:
            return await original(self)
        except BaseException:
            connection = getattr(self.client, "_connection", None)
            pool = self.client._parent._pool
            if connection is not None and pool is not None:
                with contextlib.suppress(Exception):
                    await pool.release(connection)
            token = getattr(self, "token", None)
            if token is not None:
                with contextlib.suppress(Exception):
                    get_connections().reset(token)
            raise

    __aenter__._zsb_wrapped = True  # type: ignore[attr-defined]
    TransactionContextPooled.__aenter__ = __aenter__  # type: ignore[method-assign]


async def init_db(settings: Settings | None = None) -> None:
    _release_on_failed_begin()
    # Sanic runs each listener in a task of its own, and request handlers in tasks copied from
    # yet another context: the ORM set up here must be visible to all of them
    ctx = await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)
    _share_connections(ctx)
    # connect now, once: tortoise connects lazily, and two first queries racing each other
    # on SQLite open two connections and leave one waiting forever
    await ctx.connections.get("default").execute_query("SELECT 1")


def _share_connections(ctx: Any) -> None:
    """tortoise keeps a context's connections in a ContextVar set in the initialising task
    only. Other tasks see the variable's default (one shared dict) and would open a second
    pool each (on SQLite a second connection that then waits on the first's lock). Putting
    the opened connections into that default lets every task of this worker use them."""
    storage_var = ctx.connections._storage_var
    shared_default = contextvars.Context().run(storage_var.get)
    shared_default.update(storage_var.get())


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(settings: Settings | None = None) -> None:
    from tortoise.migrations.api import migrate as run

    try:
        await run(config=tortoise_config(settings))
    finally:
        await Tortoise.close_connections()
