"""Group commit for inbound callback records.

Each callback must be durably recorded (and found new or a retry) before it is acted on and
answered. One commit per callback makes the database's flush latency the ceiling of the whole
endpoint, so concurrent callbacks of a worker share one ``INSERT … ON CONFLICT DO NOTHING
RETURNING`` statement: whoever arrives while a batch is being written goes into the next one.
Every caller still waits for its own row to be committed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from tortoise import connections

from app import sql
from app.clock import now

log = logging.getLogger("zsb.wechat")

MAX_BATCH = 256
COLUMNS = ("dedupe_key", "openid", "msg_type", "event", "mode", "outcome", "body",
           "query_signature", "received_at")


@dataclass(slots=True)
class Row:
    dedupe_key: str
    openid: str
    msg_type: str
    event: str | None
    mode: str
    body: str
    outcome: str = "accepted"
    query_signature: str | None = None


class InboundRecorder:
    def __init__(self) -> None:
        self._pending: list[tuple[Row, asyncio.Future[bool]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def record(self, row: Row) -> bool:
        """True when this row is new, False when its ``dedupe_key`` was recorded before."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((row, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                inserted = await _insert(batch)
            except Exception as exc:
                log.exception("wechat callback batch insert failed", extra={"rows": len(batch)})
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for row, future in batch:
                # a key twice in one batch: only its first caller is the new one
                new = row.dedupe_key in inserted
                inserted.discard(row.dedupe_key)
                if not future.done():
                    future.set_result(new)


# (name, PostgreSQL type) of each column, in the order of ``COLUMNS``
_COLUMNS = tuple((name, "timestamptz" if name == "received_at" else "text") for name in COLUMNS)
_CONFLICT = "ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key"


async def _insert(batch: list[tuple[Row, asyncio.Future[bool]]]) -> set[str]:
    at = now()
    values = [(*(getattr(row, name) for name in COLUMNS[:-1]), at) for row, _ in batch]
    result = await sql.insert_batch(connections.get("default"), "wechat_inbound_callback",
                                    _COLUMNS, values, _CONFLICT)
    return {r["dedupe_key"] for r in result}
