"""Writing domain events to the outbox, in the caller's transaction."""

from __future__ import annotations

from typing import Any, Literal

from models.core import OutboxEvent

Priority = Literal["critical", "normal", "bulk"]


async def emit(
    event_type: str,
    *,
    aggregate: str,
    aggregate_id: str | int,
    payload: dict[str, Any],
    person_id: int | None = None,
    priority: Priority = "normal",
    connection: Any = None,
) -> OutboxEvent:
    """Record that something happened. Pass the transaction's ``connection`` so the event
    commits or rolls back with the state change it describes."""
    return await OutboxEvent.create(
        event_type=event_type,
        aggregate=aggregate,
        aggregate_id=str(aggregate_id),
        payload=payload,
        person_id=person_id,
        priority=priority,
        using_db=connection,
    )
