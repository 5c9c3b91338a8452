"""Who moved a payment, and the event that records it (全过程留痕)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from app import clock
from models.payments import PaymentEvent, PaymentOrder


@dataclass(frozen=True)
class PayActor:
    kind: str  # citizen | staff | system | platform
    id: str


SYSTEM = PayActor("system", "payments")


async def record_event(
    order: PaymentOrder,
    to: str,
    *,
    actor: PayActor,
    conn: BaseDBAsyncClient,
    frm: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> PaymentEvent:
    return await PaymentEvent.create(
        order_id=order.id,
        actor_kind=actor.kind,
        actor_id=actor.id,
        from_status=frm if frm is not None else str(order.status),
        to_status=to,
        reason=reason,
        data=data or {},
        at=clock.now(),
        using_db=conn,
    )
