"""Small pieces the payment services share: gateways by channel, events, order views."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from app import clock
from app.errors import NotFound
from app.interfaces import PaymentGateway
from models.payments import PaymentEvent, PaymentOrder

# the numbers automatic refunds are given; a staff refund may not take one
AUTOMATIC_REFUND_NO = re.compile(r"(AR|S[0-9A-F]{8})$")


def anomaly_refund_no(out_trade_no: str) -> str:
    """The refund of an order paid when it should not have been (once per order)."""
    return f"{out_trade_no}AR"


def surplus_refund_no(out_trade_no: str, transaction_id: str) -> str:
    """The refund of a second payment of one order (once per platform transaction)."""
    return f"{out_trade_no}S{hashlib.sha256(transaction_id.encode()).hexdigest()[:8].upper()}"


CHANNELS = ("wechatpay", "alipay")
EDGE_NAMES = {"wechatpay": "wechatpay", "alipay": "alipay_pay"}
SCENES = {"wechatpay": ("jsapi", "app"), "alipay": ("miniprogram", "app")}
STATUS_LABELS = {"pending": "待支付", "paid": "已支付", "closed": "已关闭", "refunded": "已退款"}


@dataclass(frozen=True)
class PayActor:
    kind: str  # citizen | staff | system | platform
    id: str


SYSTEM = PayActor("system", "payments")


def gateway(edges: Any, channel: str) -> PaymentGateway:
    gw: PaymentGateway = edges.get(EDGE_NAMES[channel])
    return gw


def new_out_trade_no() -> str:
    """``ZSB`` + Beijing time to the second + 10 random hex digits: 27 characters."""
    return "ZSB" + clock.local(clock.now()).strftime("%Y%m%d%H%M%S") + secrets.token_hex(5).upper()


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


async def order_for_staff(out_trade_no: str, staff: Any) -> PaymentOrder:
    """An order of the staff member's department (admins see all); others answer 404."""
    order = await PaymentOrder.get_or_none(out_trade_no=out_trade_no).prefetch_related("case")
    if order is None or ("admin" not in staff.roles
                         and order.case.department_id != staff.department_id):
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
