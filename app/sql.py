"""Plain SQL for hot paths (payment notifies, the outbox), written once in PostgreSQL's ``$n``
style.

The ORM builds every statement anew (pypika, model instances), which costs more CPU than the
database round trip on the path a payment notify takes. These statements run on the
transaction's own connection, so they commit or roll back with everything else. On SQLite the
placeholders become ``?`` (each ``$n`` appears once, in order) and ``FOR UPDATE`` is dropped:
SQLite serialises writing transactions by itself. ``{lock_o}`` locks only the rows of the
table aliased ``o`` (PostgreSQL's ``FOR UPDATE OF o``).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

_PARAM = re.compile(r"\$\d+")


def dumps(value: Any) -> str:
    """JSON columns take text on both backends (asyncpg has no jsonb codec set here)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=1024)
def _render(text: str, postgres: bool) -> str:
    if postgres:
        return text.replace("{lock}", " FOR UPDATE").replace("{lock_o}", " FOR UPDATE OF o")
    return _PARAM.sub("?", text.replace("{lock}", "").replace("{lock_o}", ""))


def is_postgres(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "postgres"


async def rows(conn: BaseDBAsyncClient, text: str, *values: Any) -> list[dict[str, Any]]:
    """Statements that answer rows (``SELECT``, ``… RETURNING``)."""
    return await conn.execute_query_dict(_render(text, is_postgres(conn)), list(values))


Statement = tuple[str, list[Any]]


def _shift(text: str, offset: int) -> str:
    return _PARAM.sub(lambda m: f"${int(m.group()[1:]) + offset}", text)


async def write_all(conn: BaseDBAsyncClient, statements: list[Statement]) -> None:
    """Writes that need no answer. PostgreSQL takes them as one statement (data-modifying
    ``WITH`` parts, one snapshot: they must not touch the same rows); SQLite one by one."""
    if not statements:
        return
    if not is_postgres(conn) or len(statements) == 1:
        for text, values in statements:
            await execute(conn, text, *values)
        return
    values: list[Any] = []
    for _, vals in statements:
        values += vals
    await execute(conn, _combined(tuple((t, len(v)) for t, v in statements)), *values)


@lru_cache(maxsize=64)
def _combined(shapes: tuple[tuple[str, int], ...]) -> str:
    parts, offset = [], 0
    for n, (text, count) in enumerate(shapes[:-1]):
        parts.append(f"w{n} AS ({_shift(text, offset)})")
        offset += count
    return f"WITH {', '.join(parts)} {_shift(shapes[-1][0], offset)}"


async def execute(conn: BaseDBAsyncClient, text: str, *values: Any) -> int:
    """Statements without an answer; the number of rows they touched."""
    count, _ = await conn.execute_query(_render(text, is_postgres(conn)), list(values))
    return count
