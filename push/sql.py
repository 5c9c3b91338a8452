"""Raw batched writes for the hot path: tortoise builds a model object per row, which costs
more than the insert itself at thousands of rows a second. ``?`` placeholders are rewritten
to ``$n`` for PostgreSQL."""

from __future__ import annotations

from typing import Any


def placeholders(conn: Any, sql: str) -> str:
    if conn.capabilities.dialect != "postgres":
        return sql
    parts = sql.split("?")
    return "".join(p + (f"${i}" if i < len(parts) else "") for i, p in enumerate(parts, start=1))


async def execute_many(conn: Any, sql: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        await conn.execute_many(placeholders(conn, sql), [list(r) for r in rows])
