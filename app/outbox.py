"""Writing domain events to the outbox, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from app import clock, sql
from app.notices import Priority, priority_of

# Called after each emit, so a dispatcher in this process can stop sleeping and look now
# instead of polling the table many times a second. Listeners must be cheap and not raise.
_listeners: list[Callable[[], None]] = []


def add_listener(listener: Callable[[], None]) -> None:
    _listeners.append(listener)


def remove_listener(listener: Callable[[], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def wake() -> None:
    """Tell this process's dispatchers that new work may be due (before or after commit:
    they look again shortly either way)."""
    for listener in _listeners:
        listener()


_INSERT = (
    "INSERT INTO outbox_event (event_type, aggregate, aggregate_id, payload, person_id,"
    " priority, created_at, attempts) VALUES ($1, $2, $3, $4, $5, $6, $7, 0) RETURNING id"
)


def emit_statement(
    event_type: str, *, aggregate: str, aggregate_id: str | int, payload: dict[str, Any],
    person_id: int | None = None, priority: Priority | None = None,
) -> sql.Statement:
    """``emit`` as a statement for ``sql.write_all`` beside the caller's own writes (one round
    trip on PostgreSQL); the caller calls ``wake()`` once they are written."""
    return (_INSERT.removesuffix(" RETURNING id"),
            [event_type, aggregate, str(aggregate_id), sql.dumps(payload), person_id,
             str(priority or priority_of(event_type)), clock.now()])


async def emit(
    event_type: str,
    *,
    aggregate: str,
    aggregate_id: str | int,
    payload: dict[str, Any],
    person_id: int | None = None,
    priority: Priority | None = None,
    connection: BaseDBAsyncClient | None = None,
) -> int:
    """Record that something happened; answer the event's id. Pass the transaction's
    ``connection`` so the event commits or rolls back with the state change it describes.
    (Plain SQL: every state change writes one, and the ORM's insert cost more than the trip.)
    The priority is the event type's (``app/notices.py``) unless the caller raises it."""
    conn = connection or connections.get("default")
    [row] = await sql.rows(
        conn, _INSERT, event_type, aggregate, str(aggregate_id), sql.dumps(payload),
        person_id, str(priority or priority_of(event_type)), clock.now(),
    )
    wake()
    return int(row["id"])
