"""The one bridge for plain SQL on hot paths (payment notifies, the outbox, push delivery, the
WeChat callback recorder), written once in PostgreSQL's ``$n`` style.

The ORM builds every statement anew (pypika, model instances), which costs more CPU than the
database round trip on the paths that run thousands of times a second. These statements run on
the caller's connection, so inside a transaction they commit or roll back with everything else.

On SQLite the placeholders become ``?``, which binds by position: that is right only when each
``$n`` appears once and in order. ``render`` refuses any other statement on *both* backends, so
such a mistake fails in every test run instead of binding wrongly on SQLite alone.

Lock marks: ``{lock}`` is ``FOR UPDATE``, ``{lock_o}`` locks only the rows of the table aliased
``o`` (``FOR UPDATE OF o``), ``{skip_locked}`` is ``FOR UPDATE SKIP LOCKED``; on SQLite all are
dropped (it serialises writing transactions by itself).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

_PARAM = re.compile(r"\$(\d+)")
_LOCKS = {"{lock}": " FOR UPDATE", "{lock_o}": " FOR UPDATE OF o",
          "{skip_locked}": " FOR UPDATE SKIP LOCKED"}

Statement = tuple[str, list[Any]]


class PlaceholderOrderError(ValueError):
    """A statement whose ``$n`` are not ``$1, $2, …`` each once, in order."""


def dumps(value: Any) -> str:
    """JSON columns take text on both backends (asyncpg has no jsonb codec set here)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def check_placeholders(text: str) -> int:
    """The number of placeholders; ``PlaceholderOrderError`` unless they run ``$1 … $n``."""
    found = [int(n) for n in _PARAM.findall(text)]
    if found != list(range(1, len(found) + 1)):
        raise PlaceholderOrderError(
            f"placeholders must be $1..$n, each once and in order; got {found[:12]}: {text[:80]}"
        )
    return len(found)


@lru_cache(maxsize=1024)
def render(text: str, postgres: bool) -> str:
    """The statement for one backend (checked once per text: the result is cached)."""
    check_placeholders(text)
    for mark, clause in _LOCKS.items():
        text = text.replace(mark, clause if postgres else "")
    return text if postgres else _PARAM.sub("?", text)


def is_postgres(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "postgres"


def marks(count: int, width: int = 1, start: int = 1) -> str:
    """``$1, $2`` (width 1: an ``IN`` list) or ``($1, $2), ($3, $4)`` (width 2: ``VALUES``
    rows) for ``count`` items, numbered from ``start``."""
    if width == 1:
        return ", ".join(f"${start + i}" for i in range(count))
    return ", ".join(
        "(" + ", ".join(f"${start + r * width + c}" for c in range(width)) + ")"
        for r in range(count)
    )


async def rows(conn: BaseDBAsyncClient, text: str, *values: Any) -> list[dict[str, Any]]:
    """Statements that answer rows (``SELECT``, ``… RETURNING``)."""
    return await conn.execute_query_dict(render(text, is_postgres(conn)), list(values))


async def execute(conn: BaseDBAsyncClient, text: str, *values: Any) -> int:
    """Statements without an answer; the number of rows they touched."""
    count, _ = await conn.execute_query(render(text, is_postgres(conn)), list(values))
    return count


async def execute_many(
    conn: BaseDBAsyncClient, text: str, values: Sequence[Sequence[Any]]
) -> None:
    """One statement for each row of ``values`` (the driver's ``executemany``)."""
    if values:
        await conn.execute_many(render(text, is_postgres(conn)), [list(v) for v in values])


async def insert_batch(
    conn: BaseDBAsyncClient,
    table: str,
    columns: Sequence[tuple[str, str]],
    values: Sequence[Sequence[Any]],
    tail: str = "",
) -> list[dict[str, Any]]:
    """Many rows in one ``INSERT``; ``columns`` are (name, PostgreSQL type) and ``tail`` is
    what follows the rows (``ON CONFLICT … RETURNING …``).

    PostgreSQL gets one array per column through ``unnest``: the statement text is the same
    for any number of rows, so asyncpg prepares it once per connection. SQLite gets a
    ``VALUES`` list."""
    names = ", ".join(name for name, _ in columns)
    if is_postgres(conn):
        arrays = ", ".join(f"${i}::{kind}[]" for i, (_, kind) in enumerate(columns, 1))
        text = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {tail}"  # noqa: S608 - names from the caller's constants
        return await rows(conn, text, *([row[i] for row in values] for i in range(len(columns))))
    text = f"INSERT INTO {table} ({names}) VALUES {marks(len(values), len(columns))} {tail}"  # noqa: S608 - names from the caller's constants
    return await rows(conn, text, *(v for row in values for v in row))


async def write_all(conn: BaseDBAsyncClient, statements: list[Statement]) -> None:
    """Writes that need no answer. PostgreSQL takes them as one statement (data-modifying
    ``WITH`` parts, one snapshot: they must not touch the same rows); SQLite one by one."""
    if not statements:
        return
    if not is_postgres(conn) or len(statements) == 1:
        for text, values in statements:
            await execute(conn, text, *values)
        return
    combined: list[Any] = []
    for _, vals in statements:
        combined += vals
    await execute(conn, _combined(tuple((t, len(v)) for t, v in statements)), *combined)


def _shift(text: str, offset: int) -> str:
    return _PARAM.sub(lambda m: f"${int(m.group(1)) + offset}", text)


@lru_cache(maxsize=64)
def _combined(shapes: tuple[tuple[str, int], ...]) -> str:
    parts, offset = [], 0
    for n, (text, count) in enumerate(shapes[:-1]):
        parts.append(f"w{n} AS ({_shift(text, offset)})")
        offset += count
    return f"WITH {', '.join(parts)} {_shift(shapes[-1][0], offset)}"
