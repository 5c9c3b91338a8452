"""Shipments as citizens and staff see them: personal data masked, timeline newest first."""

from __future__ import annotations

from typing import Any

from app import clock
from app.security import pii
from app.shipments.records import STATE_LABELS
from models.express import EXCEPTIONS, Shipment, ShipmentState, TrackingEvent

PAGE = 500


def shape(shipment: Shipment, timeline: list[TrackingEvent] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": shipment.id,
        "case_id": shipment.case_id,
        "direction": str(shipment.direction),
        "carrier": shipment.carrier,
        "waybill_no": shipment.waybill_no,
        "state": str(shipment.state),
        "state_label": STATE_LABELS.get(shipment.state, str(shipment.state)),
        "exception": shipment.state in EXCEPTIONS,
        "subscription": str(shipment.subscription),
        "receiver_name": pii.mask_name(pii.decrypt(shipment.receiver_name)),
        "receiver_phone": pii.mask_phone(pii.decrypt(shipment.receiver_phone)),
        "receiver_address": pii.mask_address(pii.decrypt(shipment.receiver_address)),
        "citizen_choice": shipment.citizen_choice,
        "last_event_at": clock.iso(shipment.last_event_at),
        "created_at": clock.iso(shipment.created_at),
    }
    if timeline is not None:
        out["timeline"] = [
            {
                "time": clock.iso(e.time),
                "context": e.context,
                "area": e.area,
                "state": e.state,
                "state_label": STATE_LABELS.get(e.state, e.state),
            }
            for e in sorted(timeline, key=lambda e: e.time, reverse=True)
        ]
    return out


async def my_shipments(person_id: int) -> list[dict[str, Any]]:
    shipments = await Shipment.filter(person_id=person_id).order_by("-id").limit(100)
    events = await TrackingEvent.filter(shipment_id__in=[s.id for s in shipments])
    by_shipment: dict[int, list[TrackingEvent]] = {}
    for e in events:
        by_shipment.setdefault(e.shipment_id, []).append(e)
    return [shape(s, by_shipment.get(s.id, [])) for s in shipments]


async def staff_shipments(
    department_id: int | None, state: ShipmentState | None
) -> list[dict[str, Any]]:
    """Exceptions (拒签, 退回, 疑难 …) first, then the oldest news first. The exceptions are
    fetched on their own so a long tail of quiet shipments cannot push them off the page."""
    qs = Shipment.all()
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    if state:
        qs = qs.filter(state=ShipmentState(state))
    exceptions = [str(s) for s in EXCEPTIONS]
    rows = await qs.filter(state__in=exceptions).order_by("checked_at").limit(PAGE)
    if len(rows) < PAGE:
        rest = qs.exclude(state__in=exceptions).order_by("checked_at").limit(PAGE - len(rows))
        rows += await rest
    return [shape(s) for s in rows]
