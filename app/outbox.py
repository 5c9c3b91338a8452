"""Writing domain events to the outbox, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from models.core import OutboxEvent

Priority = Literal["critical", "normal", "bulk"]

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
    event = await OutboxEvent.create(
        event_type=event_type,
        aggregate=aggregate,
        aggregate_id=str(aggregate_id),
        payload=payload,
        person_id=person_id,
        priority=priority,
        using_db=connection,
    )
    wake()
    return event
