"""Refunds: asked by staff (partial allowed, idempotent by refund number) or automatic.

The refund is recorded first, the platform asked after commit, and success applied once,
from the platform's answer or its refund notify, whichever comes first.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app import clock
from app.errors import BadRequest, Conflict, NotFound
from app.interfaces import PayResult, ProviderError
from app.outbox import emit
from app.payments.common import SYSTEM, PayActor, gateway, order_for_staff, record_event
from app.payments.settle import Settled
from models.payments import OrderStatus, PaymentOrder, Receipt, Refund, RefundStatus

log = logging.getLogger(__name__)
OPEN = (RefundStatus.pending, RefundStatus.processing, RefundStatus.succeeded)
_running: set[asyncio.Task[Any]] = set()  # references only: a refund lost here is retried by jobs


def submit_later(edges: Any, refund_id: int) -> None:
    """Submit after the callback has answered; the periodic job retries what fails."""
    task = asyncio.get_running_loop().create_task(submit_refund(edges, refund_id))
    _running.add(task)
    task.add_done_callback(_running.discard)


def refund_view(refund: Refund) -> dict[str, Any]:
    return {
        "out_refund_no": refund.out_refund_no,
        "amount_fen": refund.amount_fen,
        "reason": refund.reason,
        "status": str(refund.status),
        "automatic": refund.automatic,
        "error": refund.error,
        "created_at": clock.iso(refund.created_at),
        "finished_at": clock.iso(refund.finished_at),
    }


async def request_refund(
    *, out_trade_no: str, amount_fen: int, reason: str, out_refund_no: str | None, staff: Any
) -> Refund:
    await order_for_staff(out_trade_no, staff)
    staff_id = staff.id
    async with in_transaction() as conn:
        order = await PaymentOrder.select_for_update().using_db(conn).get_or_none(
            out_trade_no=out_trade_no
        )
        if order is None:
            raise NotFound("订单不存在", code="ORDER_NOT_FOUND")
        if out_refund_no is None:
            seq = await Refund.filter(order_id=order.id).using_db(conn).count() + 1
            out_refund_no = f"{order.out_trade_no}R{seq}"
        number = out_refund_no
        existing = await Refund.filter(out_refund_no=number).using_db(conn).first()
        if existing is not None:
            if existing.order_id != order.id or existing.amount_fen != amount_fen:
                raise Conflict("退款单号已用于其他退款", code="REFUND_NO_CONFLICT")
            return existing
        if order.status not in (OrderStatus.paid,):
            raise Conflict("订单未支付或已全额退款，不能退款", code="ORDER_NOT_REFUNDABLE")
        taken = sum(r.amount_fen for r in await Refund.filter(
            order_id=order.id, status__in=OPEN).using_db(conn))
        if amount_fen <= 0 or taken + amount_fen > order.amount_fen:
            raise BadRequest("退款金额超出可退金额", code="REFUND_AMOUNT_INVALID",
                             fields={"amount_fen": f"最多可退 {order.amount_fen - taken} 分"})
        try:
            refund = await Refund.create(order_id=order.id, out_refund_no=number,
                                         amount_fen=amount_fen, reason=reason,
                                         requested_by=staff_id, using_db=conn)
        except IntegrityError as exc:  # taken at once by a refund of another order
            raise Conflict("退款单号已用于其他退款", code="REFUND_NO_CONFLICT") from exc
        await record_event(order, "refund_requested", actor=PayActor("staff", str(staff_id)),
                           reason=reason, data={"out_refund_no": number,
                                                "amount_fen": amount_fen}, conn=conn)
        return refund


async def submit_refund(edges: Any, refund_id: int) -> Refund:
    """Ask the platform (outside any transaction). Safe to call again: same refund number."""
    refund = await Refund.get(id=refund_id).prefetch_related("order")
    if refund.status is not RefundStatus.pending:
        return refund
    order = refund.order
    gw = gateway(edges, order.channel)
    try:
        answer = await gw.refund(order.out_trade_no, refund.out_refund_no, refund.amount_fen,
                                 order.amount_fen, refund.reason)
    except ProviderError as exc:
        status = RefundStatus.pending if exc.retryable else RefundStatus.failed
        await Refund.filter(id=refund.id, status=RefundStatus.pending).update(
            status=status, error=str(exc)[:255], attempts=refund.attempts + 1
        )
        log.warning("refund %s failed: %s", refund.out_refund_no, exc)
        return await Refund.get(id=refund.id)
    state = str(answer.get("state") or answer.get("status") or "processing")
    await Refund.filter(id=refund.id, status=RefundStatus.pending).update(
        status=RefundStatus.processing, attempts=refund.attempts + 1,
        platform_refund_id=str(answer.get("refund_id") or "")[:64] or None,
    )
    if state == "succeeded":
        await apply_refund_success(refund.out_refund_no, actor=PayActor("platform", gw.name))
    return await Refund.get(id=refund.id)


async def apply_refund_result(result: PayResult, *, channel: str, actor: PayActor) -> Settled:
    number = str(result.raw.get("out_refund_no") or "")
    # the notify must name the order the refund belongs to, on this channel
    if not await Refund.filter(out_refund_no=number, order__out_trade_no=result.out_trade_no,
                               order__channel=channel).exists():
        return Settled("unknown_order")
    if result.state == "refunded":
        return await apply_refund_success(number, actor=actor)
    async with in_transaction() as conn:
        refund = await Refund.select_for_update().using_db(conn).get(out_refund_no=number)
        if refund.status in (RefundStatus.succeeded, RefundStatus.failed):
            return Settled("duplicate")
        refund.status = RefundStatus.failed
        refund.error = str(result.raw.get("refund_status") or "退款失败")
        refund.finished_at = clock.now()
        await refund.save(using_db=conn)
        return Settled("applied")


async def apply_refund_success(out_refund_no: str, *, actor: PayActor = SYSTEM) -> Settled:
    async with in_transaction() as conn:
        peek = await Refund.filter(out_refund_no=out_refund_no).using_db(conn).first()
        if peek is None:
            return Settled("unknown_order")
        order = await PaymentOrder.select_for_update().using_db(conn).get(id=peek.order_id)
        refund = await Refund.select_for_update().using_db(conn).get(id=peek.id)
        if refund.status is RefundStatus.succeeded:
            return Settled("duplicate", order)
        refund.status = RefundStatus.succeeded
        refund.finished_at = clock.now()
        refund.error = None
        await refund.save(using_db=conn)
        order.refunded_fen += refund.amount_fen
        frm = str(order.status)
        if order.refunded_fen >= order.amount_fen:
            order.status = OrderStatus.refunded
            await Receipt.filter(order_id=order.id).using_db(conn).update(status="voided")
        await order.save(using_db=conn)
        await record_event(order, "refunded" if order.status is OrderStatus.refunded
                           else "partially_refunded", frm=frm, actor=actor,
                           reason=refund.reason, data={"out_refund_no": out_refund_no,
                                                       "amount_fen": refund.amount_fen},
                           conn=conn)
        await emit("payment.refunded", aggregate="payment_order", aggregate_id=order.id,
                   payload={"out_trade_no": order.out_trade_no, "case_id": order.case_id,
                            "out_refund_no": out_refund_no, "amount_fen": refund.amount_fen,
                            "automatic": refund.automatic},
                   person_id=order.person_id, connection=conn)
        return Settled("applied", order)

