"""How an order is shown, and which orders a staff member may see."""

from __future__ import annotations

from typing import Any

from app import clock
from app.errors import NotFound
from app.staff import StaffPrincipal
from models.payments import PaymentOrder

STATUS_LABELS = {"pending": "待支付", "paid": "已支付", "closed": "已关闭", "refunded": "已退款"}


async def order_for_staff(out_trade_no: str, staff: StaffPrincipal) -> PaymentOrder:
    """An order of a department the staff member sees; others answer 404."""
    order = await PaymentOrder.get_or_none(out_trade_no=out_trade_no).prefetch_related("case")
    if order is None or not staff.sees_department(order.case.department_id):
        raise NotFound("订单不存在", code="ORDER_NOT_FOUND")
    return order


def order_view(order: PaymentOrder) -> dict[str, Any]:
    return {
        "out_trade_no": order.out_trade_no,
        "case_id": order.case_id,
        "channel": order.channel,
        "scene": order.scene,
        "subject": order.subject,
        "amount_fen": order.amount_fen,
        "refunded_fen": order.refunded_fen,
        "status": str(order.status),
        "status_label": STATUS_LABELS.get(str(order.status), str(order.status)),
        "anomaly": str(order.anomaly) if order.anomaly else None,
        "transaction_id": order.transaction_id,
        "expires_at": clock.iso(order.expires_at),
        "paid_at": clock.iso(order.paid_at),
        "created_at": clock.iso(order.created_at),
    }
