"""Shipment state changes, each one logged (全过程留痕), and the labels citizens read."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from app import clock
from app.cases.transitions import Actor
from models.express import Shipment, ShipmentEvent, ShipmentState

STATE_LABELS: dict[str, str] = {
    ShipmentState.created: "已下单",
    ShipmentState.collected: "已揽收",
    ShipmentState.in_transit: "运输中",
    ShipmentState.out_for_delivery: "派送中",
    ShipmentState.signed: "已签收",
    ShipmentState.trouble: "疑难件",
    ShipmentState.refused: "已拒签",
    ShipmentState.returning: "退回中",
    ShipmentState.returned: "已退回寄件人",
    ShipmentState.hall_pickup: "改为窗口自取",
    ShipmentState.cancelled: "已取消",
}

KUAIDI100 = Actor("platform", "kuaidi100")


async def set_state(
    shipment: Shipment,
    to: ShipmentState,
    *,
    actor: Actor,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    connection: BaseDBAsyncClient,
) -> ShipmentEvent | None:
    """Move the shipment and log the move; nothing is written when it is already there."""
    frm = shipment.state
    if frm == to:
        return None
    shipment.state = to
    await shipment.save(using_db=connection, update_fields=["state", "updated_at"])
    return await ShipmentEvent.create(
        shipment_id=shipment.id,
        actor_kind=actor.kind,
        actor_id=str(actor.id),
        from_state=str(frm) if frm else None,
        to_state=str(to),
        reason=reason,
        data=data or {},
        at=clock.now(),
        using_db=connection,
    )
