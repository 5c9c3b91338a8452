"""The migrations describe the models, and the migrated database has every declared index
(a SQLite table rebuild, as an AlterField makes, drops secondary indexes)."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from tortoise import Tortoise, connections


async def test_models_and_migrations_agree(settings: Any, tmp_path: Any) -> None:
    env = {**os.environ, "ZSB_DATABASE_URL": f"sqlite://{tmp_path}/check.sqlite3"}
    for args in (("migrate",), ("makemigrations", "--check")):
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app", *args, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
        assert proc.returncode == 0, out.decode()[-2000:]


async def _index_columns(table: str) -> list[tuple[str, ...]]:
    conn = connections.get("default")
    if conn.capabilities.dialect == "postgres":
        _, rows = await conn.execute_query(
            "SELECT array_agg(a.attname ORDER BY k.n) AS cols FROM pg_index i"
            " JOIN pg_class t ON t.oid = i.indrelid"
            " CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)"
            " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum"
            " WHERE t.relname = $1 GROUP BY i.indexrelid", [table])
        return [tuple(r["cols"]) for r in rows]
    _, indexes = await conn.execute_query(f'PRAGMA index_list("{table}")')
    out = []
    for index in indexes:
        _, cols = await conn.execute_query(f'PRAGMA index_info("{index["name"]}")')
        out.append(tuple(c["name"] for c in sorted(cols, key=lambda c: c["seqno"])))
    return out


async def test_every_declared_index_exists(server: Any) -> None:
    missing = []
    for models in Tortoise.apps.values():
        for model in models.values():
            meta = model._meta
            declared = [tuple(meta.fields_map[f].source_field or f for f in group)
                        for group in (meta.indexes or ()) if isinstance(group, tuple)]
            declared += [(f.source_field or name,) for name, f in meta.fields_map.items()
                         if getattr(f, "index", False) and not f.pk and not f.unique]
            if not declared:
                continue
            present = await _index_columns(meta.db_table)
            missing += [(meta.db_table, cols) for cols in declared
                        if not any(p[: len(cols)] == cols for p in present)]
    assert missing == []
