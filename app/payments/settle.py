"""Believing a platform's word about an order: the one place an order becomes paid.

Notifies, the citizen's "I paid" query, the expiry job and reconciliation all end here. Each
call is one short transaction that locks the case, then the order (always in that order), so
deliveries of the same notify at once, or notifies for two orders of one case, serialize: the
first changes the state, the rest find it changed. No platform call happens in here; an
automatic refund is recorded and submitted by the caller after commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from app import clock
from app.cases.lifecycle import Actor, transition
from app.interfaces import PayResult
from app.outbox import emit
from app.payments.common import PayActor, record_event
from app.payments.receipts import issue_receipt
from models.cases import Case, CaseStatus
from models.payments import Anomaly, OrderStatus, PaymentOrder, Refund

log = logging.getLogger(__name__)

ANOMALY_REASONS = {
    Anomaly.paid_after_close: "订单已关闭后收到付款，自动退款",
    Anomaly.duplicate_payment: "该办件费用已缴纳，重复付款自动退款",
}


@dataclass(frozen=True)
class Settled:
    outcome: str  # applied | duplicate | unknown_order | amount_mismatch | anomaly | closed
    #               | ignored
    order: PaymentOrder | None = None
    refund_id: int | None = None  # an automatic refund to submit after commit


async def apply_result(result: PayResult, *, channel: str, actor: PayActor) -> Settled:
    if result.state == "paid":
        return await apply_paid(result, channel=channel, actor=actor)
    if result.state == "closed":
        return await apply_closed(result.out_trade_no, channel=channel, actor=actor)
    return Settled("ignored")


async def _lock(
    out_trade_no: str, channel: str, conn: BaseDBAsyncClient
) -> tuple[Case, PaymentOrder] | None:
    peek = await PaymentOrder.filter(out_trade_no=out_trade_no, channel=channel).using_db(
        conn
    ).first()
    if peek is None:
        return None
    case = await Case.select_for_update().using_db(conn).get(id=peek.case_id)
    order = await PaymentOrder.select_for_update().using_db(conn).get(id=peek.id)
    return case, order


async def apply_paid(result: PayResult, *, channel: str, actor: PayActor) -> Settled:
    async with in_transaction() as conn:
        locked = await _lock(result.out_trade_no, channel, conn)
        if locked is None:
            return Settled("unknown_order")
        case, order = locked
        # a "paid" word without an amount is not believed any more than a wrong amount
        if result.amount_fen is None or result.amount_fen != order.amount_fen:
            log.warning("payment amount differs or is missing: order %s", order.out_trade_no)
            return Settled("amount_mismatch", order)
        if order.status in (OrderStatus.paid, OrderStatus.refunded):
            return Settled("duplicate", order)
        anomaly: Anomaly | None = None
        if order.status is OrderStatus.closed:
            anomaly = Anomaly.paid_after_close
        elif await PaymentOrder.filter(
            case_id=case.id, status__in=[OrderStatus.paid, OrderStatus.refunded],
            anomaly__isnull=True,
        ).exclude(id=order.id).using_db(conn).exists():
            anomaly = Anomaly.duplicate_payment
        frm = str(order.status)
        order.status = OrderStatus.paid
        order.anomaly = anomaly
        order.transaction_id = result.transaction_id
        order.paid_at = result.paid_at or clock.now()
        await order.save(using_db=conn)
        data = {"transaction_id": result.transaction_id, "amount_fen": result.amount_fen}
        if anomaly is not None:
            return await _refund_anomaly(order, anomaly, frm, actor, data, conn)
        await record_event(order, "paid", frm=frm, actor=actor, reason="支付成功", data=data,
                           conn=conn)
        await issue_receipt(order, case, conn)
        await emit(
            "payment.received",
            aggregate="payment_order",
            aggregate_id=order.id,
            payload={"out_trade_no": order.out_trade_no, "case_id": case.id,
                     "case_no": case.number, "item_name": case.item_name,
                     "amount_fen": order.amount_fen, "channel": channel},
            person_id=order.person_id,
            connection=conn,
        )
        if case.status == CaseStatus.fee_due:
            await transition(
                case, CaseStatus.paid, actor=Actor("platform", channel), reason="缴费完成",
                data={"out_trade_no": order.out_trade_no}, connection=conn,
            )
        return Settled("applied", order)


async def _refund_anomaly(
    order: PaymentOrder, anomaly: Anomaly, frm: str, actor: PayActor, data: dict[str, object],
    conn: BaseDBAsyncClient,
) -> Settled:
    reason = ANOMALY_REASONS[anomaly]
    await record_event(order, "paid", frm=frm, actor=actor, reason=reason,
                       data={**data, "anomaly": anomaly.value}, conn=conn)
    refund, _ = await Refund.get_or_create(
        out_refund_no=f"{order.out_trade_no}AR",
        defaults={"order_id": order.id, "amount_fen": order.amount_fen, "reason": reason,
                  "automatic": True},
        using_db=conn,
    )
    await emit(
        "payment.anomaly",
        aggregate="payment_order",
        aggregate_id=order.id,
        payload={"out_trade_no": order.out_trade_no, "case_id": order.case_id,
                 "anomaly": anomaly.value, "amount_fen": order.amount_fen},
        person_id=order.person_id,
        connection=conn,
    )
    return Settled("anomaly", order, refund.id)


async def apply_closed(out_trade_no: str, *, channel: str, actor: PayActor) -> Settled:
    """The platform says the order is closed (or never existed): close ours if still pending."""
    async with in_transaction() as conn:
        locked = await _lock(out_trade_no, channel, conn)
        if locked is None:
            return Settled("unknown_order")
        _, order = locked
        if order.status is not OrderStatus.pending:
            return Settled("duplicate", order)
        await close_locked(order, actor=actor, reason="订单已关闭", conn=conn)
        return Settled("closed", order)


async def close_locked(
    order: PaymentOrder, *, actor: PayActor, reason: str, conn: BaseDBAsyncClient
) -> None:
    await record_event(order, "closed", actor=actor, reason=reason, conn=conn)
    order.status = OrderStatus.closed
    order.closed_at = clock.now()
    await order.save(using_db=conn)
