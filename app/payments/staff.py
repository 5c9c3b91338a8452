"""What staff see and do: an order's history, reconciliation mismatches and runs."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Subquery

from app import clock
from app.errors import NotFound
from app.payments.reconcile import mismatch_view
from app.payments.refunds import refund_view
from app.payments.views import order_for_staff, order_view
from app.staff import StaffPrincipal
from models.payments import (
    PaymentEvent,
    PaymentOrder,
    ReconciliationMismatch,
    ReconciliationRun,
    Refund,
)


async def order_detail(out_trade_no: str, staff: StaffPrincipal) -> dict[str, Any]:
    order = await order_for_staff(out_trade_no, staff)
    refunds = await Refund.filter(order_id=order.id).order_by("id")
    events = await PaymentEvent.filter(order_id=order.id).order_by("id")
    return {
        "order": order_view(order),
        "refunds": [refund_view(r) for r in refunds],
        "events": [
            {"from": e.from_status, "to": e.to_status, "actor": f"{e.actor_kind}:{e.actor_id}",
             "reason": e.reason, "at": clock.iso(e.at)}
            for e in events
        ],
    }


def _scoped(qs: Any, staff: StaffPrincipal) -> Any:
    """Mismatches of orders of the departments the staff member sees. With no limit (admins)
    that includes those naming an order we do not have (no department to give them to)."""
    scope = staff.department_scope
    if scope is None:
        return qs
    ours = PaymentOrder.filter(case__department_id=scope).values("out_trade_no")
    return qs.filter(out_trade_no__in=Subquery(ours))


async def list_mismatches(
    *, bill_date: str | None, channel: str | None, resolved: bool | None, staff: StaffPrincipal
) -> list[dict[str, Any]]:
    qs = _scoped(ReconciliationMismatch.all(), staff).prefetch_related("run").order_by("-id")
    if bill_date:
        qs = qs.filter(run__bill_date=bill_date)
    if channel:
        qs = qs.filter(run__channel=channel)
    if resolved is not None:
        qs = qs.filter(resolved=resolved)
    return [mismatch_view(m, m.run) for m in await qs.limit(500)]


async def resolve_mismatch(mismatch_id: int, *, staff: StaffPrincipal, note: str) -> dict[str, Any]:
    m = await _scoped(ReconciliationMismatch.filter(id=mismatch_id), staff).prefetch_related(
        "run").first()
    if m is None:
        raise NotFound("差错记录不存在", code="MISMATCH_NOT_FOUND")
    m.resolved, m.resolved_by, m.note = True, staff.id, note
    await m.save()
    return mismatch_view(m, m.run)


def run_view(run: ReconciliationRun) -> dict[str, Any]:
    return {"channel": run.channel, "bill_date": run.bill_date, "status": run.status,
            "counts": run.counts}
