"""Believing a platform's word about an order: the one place an order becomes paid.

Notifies, the citizen's "I paid" query, the expiry job and reconciliation all end here. Each
call is one short transaction that locks the case, then the order (always in that order), so
deliveries of the same notify at once, or notifies for two orders of one case, serialize: the
first changes the state, the rest find it changed. No platform call happens in here; an
automatic refund is recorded and submitted by the caller after commit.

The paid path is the hot one (every payment notify): it runs on plain SQL (``sql.py``), locks
case and order with one statement, and sends its own writes as one statement at the end.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from app import clock, sql
from app.cases.transitions import Actor, transition
from app.interfaces import PayResult, PayState
from app.outbox import emit
from app.payments.events import PayActor, record_event
from app.payments.outcomes import Outcome
from app.payments.receipts import issue_soon
from app.payments.refund_numbers import anomaly_refund_no, surplus_refund_no
from app.reforms import bundle_pay
from models.cases import Case, CaseStatus
from models.payments import Anomaly, OrderStatus, PaymentOrder, Refund

log = logging.getLogger(__name__)

ANOMALY_REASONS = {
    Anomaly.paid_after_close: "订单已关闭后收到付款，自动退款",
    Anomaly.duplicate_payment: "该办件费用已缴纳，重复付款自动退款",
    Anomaly.case_not_payable: "办件已不再等待缴费（如已撤回），收到付款自动退款",
}
SURPLUS = "surplus_payment"  # a second transaction for one order: refunded, order unchanged
SURPLUS_REASON = "同一订单重复付款，自动退还多付款项"


@dataclass(frozen=True)
class Settled:
    outcome: Outcome
    order_id: int | None = None
    refund_id: int | None = None  # an automatic refund to submit after commit


# asked inside the settling transaction, after acting: the statement by which a notify records
# itself with what became of it, so the raw record commits (or rolls back) with the change
Recorder = Callable[["Settled"], sql.Statement]

_LOCK = (
    "SELECT o.id, o.case_id, o.person_id, o.status, o.anomaly, o.amount_fen, o.transaction_id,"
    " c.status AS case_status, c.number AS case_no, c.item_name"
    " FROM case_record c JOIN payment_order o ON o.case_id = c.id"
    " WHERE o.out_trade_no = $1 AND o.channel = $2{lock}"
)
_OTHER_PAID = (
    "SELECT 1 AS x FROM payment_order WHERE case_id = $1 AND id <> $2"
    " AND status IN ('paid', 'refunded') AND anomaly IS NULL LIMIT 1"
)
_SET_PAID = (
    "UPDATE payment_order SET status = 'paid', anomaly = $1, transaction_id = $2, paid_at = $3,"
    " updated_at = $4 WHERE id = $5"
)
_EVENT = (
    "INSERT INTO payment_event (order_id, actor_kind, actor_id, from_status, to_status, reason,"
    " data, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
)


async def apply_result(result: PayResult, *, channel: str, actor: PayActor,
                       record: Recorder | None = None) -> Settled:
    if result.state is PayState.paid:
        return await apply_paid(result, channel=channel, actor=actor, record=record)
    if result.state is PayState.closed:
        settled = await apply_closed(result.out_trade_no, channel=channel, actor=actor)
    else:
        settled = Settled(Outcome.ignored)
    if record is not None:
        async with in_transaction() as conn:
            await sql.write_all(conn, [record(settled)])
    return settled


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


async def apply_paid(result: PayResult, *, channel: str, actor: PayActor,
                     record: Recorder | None = None) -> Settled:
    """One transaction: lock case and order in one statement (case first, like ``_lock``),
    change the order, write its event, the outbox event and the case transition, and the
    notify's raw record when there is one. The receipt follows after commit
    (``receipts.issue_soon``, swept by the periodic job), keyed by the order. Shielded: a
    platform that hangs up mid-way must not cut the commit from what follows it."""
    return await asyncio.shield(_apply_paid(result, channel, actor, record))


async def _apply_paid(result: PayResult, channel: str, actor: PayActor,
                      record: Recorder | None) -> Settled:
    async with in_transaction() as conn:
        writes: list[sql.Statement] = []
        settled = await _settle_paid(result, channel, actor, conn, writes)
        if record is not None:
            writes.append(record(settled))
        await sql.write_all(conn, writes)
    if settled.outcome is Outcome.applied and settled.order_id is not None:
        issue_soon(settled.order_id)
    return settled


async def _settle_paid(result: PayResult, channel: str, actor: PayActor,
                       conn: BaseDBAsyncClient, writes: list[sql.Statement]) -> Settled:
    """Writes that need no answer go to ``writes``, for the caller to send at once."""
    found = await sql.rows(conn, _LOCK, result.out_trade_no, channel)
    if not found:
        return Settled(Outcome.unknown_order)
    row = found[0]
    order_id, status = int(row["id"]), str(row["status"])
    # a "paid" word without an amount is not believed any more than a wrong amount
    if result.amount_fen is None or result.amount_fen != row["amount_fen"]:
        log.warning("payment amount differs or is missing: order %s", result.out_trade_no)
        return Settled(Outcome.amount_mismatch, order_id)
    if status in (OrderStatus.paid, OrderStatus.refunded):
        known = row["transaction_id"]
        if result.transaction_id and known and result.transaction_id != known:
            return await _refund_surplus(row, result, actor, conn)
        return Settled(Outcome.duplicate, order_id)
    anomaly: Anomaly | None = None
    if status == OrderStatus.closed:
        anomaly = Anomaly.paid_after_close
    # A case enters fee_due once, and the first good payment moves it on in the same
    # transaction: while it is still fee_due no other order of it can have been paid. Out of
    # fee_due and not paid by another order, it left without paying (withdrawn): nothing is due.
    elif row["case_status"] != CaseStatus.fee_due:
        other_paid = await sql.rows(conn, _OTHER_PAID, row["case_id"], order_id)
        anomaly = Anomaly.duplicate_payment if other_paid else Anomaly.case_not_payable
    now = clock.now()
    set_paid = (_SET_PAID, [anomaly.value if anomaly else None, result.transaction_id,
                            result.paid_at or now, now, order_id])
    data = {"transaction_id": result.transaction_id, "amount_fen": result.amount_fen}
    if anomaly is not None:
        await sql.write_all(conn, [set_paid])
        return await _refund_anomaly(row, anomaly, status, actor, data, conn)
    writes.append(set_paid)
    writes.append((_EVENT, [order_id, actor.kind, actor.id, status, "paid", "支付成功",
                            sql.dumps(data), now]))
    await emit(
        "payment.received",
        aggregate="payment_order",
        aggregate_id=order_id,
        payload={"out_trade_no": result.out_trade_no, "case_id": row["case_id"],
                 "case_no": row["case_no"], "item_name": row["item_name"],
                 "amount_fen": row["amount_fen"], "channel": channel},
        person_id=row["person_id"],
        connection=conn,
    )
    if row["case_status"] == CaseStatus.fee_due:
        await transition(
            Case(id=row["case_id"]), CaseStatus.paid, actor=Actor("platform", channel),
            reason="缴费完成", data={"out_trade_no": result.out_trade_no}, connection=conn,
        )
        # the other members of a 一件事 this one order paid for
        await bundle_pay.settle_members(row["case_id"], result.out_trade_no, channel, conn)
    return Settled(Outcome.applied, order_id)


async def _automatic_refund(
    conn: BaseDBAsyncClient, *, order_id: int, out_refund_no: str, amount_fen: int, reason: str,
    transaction_id: str | None = None,
) -> int:
    refund, _ = await Refund.get_or_create(
        out_refund_no=out_refund_no,
        defaults={"order_id": order_id, "amount_fen": amount_fen, "reason": reason,
                  "automatic": True, "transaction_id": transaction_id},
        using_db=conn,
    )
    return int(refund.id)


async def _refund_anomaly(
    row: dict[str, Any], anomaly: Anomaly, frm: str, actor: PayActor, data: dict[str, Any],
    conn: BaseDBAsyncClient,
) -> Settled:
    reason = ANOMALY_REASONS[anomaly]
    order_id = int(row["id"])
    order = await PaymentOrder.get(id=order_id, using_db=conn)
    await record_event(order, "paid", frm=frm, actor=actor, reason=reason,
                       data={**data, "anomaly": anomaly.value}, conn=conn)
    refund_id = await _automatic_refund(conn, order_id=order_id,
                                        out_refund_no=anomaly_refund_no(order.out_trade_no),
                                        amount_fen=order.amount_fen, reason=reason)
    await _announce_anomaly(order, anomaly.value, order.amount_fen, conn)
    return Settled(Outcome.anomaly, order_id, refund_id)


async def _refund_surplus(row: dict[str, Any], result: PayResult, actor: PayActor,
                          conn: BaseDBAsyncClient) -> Settled:
    """A second, different payment (another platform transaction) of an order already paid:
    the order stays as it is; the surplus payment is recorded and refunded by its own
    transaction id. Keyed by that id, so redeliveries refund it once."""
    order = await PaymentOrder.get(id=int(row["id"]), using_db=conn)
    tx = str(result.transaction_id)
    number = surplus_refund_no(order.out_trade_no, tx)
    if await Refund.filter(out_refund_no=number).using_db(conn).exists():
        return Settled(Outcome.duplicate, order.id)
    data = {"transaction_id": tx, "amount_fen": result.amount_fen, "anomaly": SURPLUS}
    await record_event(order, SURPLUS, actor=actor, reason=SURPLUS_REASON, data=data, conn=conn)
    refund_id = await _automatic_refund(conn, order_id=order.id, out_refund_no=number,
                                        amount_fen=int(result.amount_fen or 0),
                                        reason=SURPLUS_REASON, transaction_id=tx)
    await _announce_anomaly(order, SURPLUS, result.amount_fen, conn, transaction_id=tx)
    return Settled(Outcome.anomaly, order.id, refund_id)


async def _announce_anomaly(order: PaymentOrder, anomaly: str, amount_fen: int | None,
                            conn: BaseDBAsyncClient, **extra: Any) -> None:
    await emit(
        "payment.anomaly",
        aggregate="payment_order",
        aggregate_id=order.id,
        payload={"out_trade_no": order.out_trade_no, "case_id": order.case_id,
                 "anomaly": anomaly, "amount_fen": amount_fen, **extra},
        person_id=order.person_id,
        connection=conn,
    )


async def apply_closed(out_trade_no: str, *, channel: str, actor: PayActor) -> Settled:
    """The platform says the order is closed (or never existed): close ours if still pending."""
    async with in_transaction() as conn:
        locked = await _lock(out_trade_no, channel, conn)
        if locked is None:
            return Settled(Outcome.unknown_order)
        _, order = locked
        if order.status is not OrderStatus.pending:
            return Settled(Outcome.duplicate, order.id)
        await close_locked(order, actor=actor, reason="订单已关闭", conn=conn)
        return Settled(Outcome.closed, order.id)


async def close_pending_of_case(
    case_id: int, *, actor: PayActor, reason: str, conn: BaseDBAsyncClient
) -> list[PaymentOrder]:
    """Close the case's unpaid orders (the case stopped waiting for its fees); answer them, to
    be closed at the platform after commit. A payment that still arrives is refunded."""
    pending = await PaymentOrder.filter(
        case_id=case_id, status=OrderStatus.pending
    ).select_for_update().using_db(conn)
    for order in pending:
        await close_locked(order, actor=actor, reason=reason, conn=conn)
    return list(pending)


async def close_locked(
    order: PaymentOrder, *, actor: PayActor, reason: str, conn: BaseDBAsyncClient
) -> None:
    await record_event(order, "closed", actor=actor, reason=reason, conn=conn)
    order.status = OrderStatus.closed
    order.closed_at = clock.now()
    await order.save(using_db=conn)
