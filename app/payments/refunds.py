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
from app.edges import Edges
from app.errors import BadRequest, Conflict, NotFound
from app.interfaces import PayResult, PayState, ProviderError
from app.outbox import emit
from app.payments.events import SYSTEM, PayActor, record_event
from app.payments.outcomes import Outcome
from app.payments.settle import Settled
from app.payments.views import order_for_staff
from app.staff import StaffPrincipal
from models.payments import OrderStatus, PaymentOrder, Receipt, Refund, RefundStatus

log = logging.getLogger(__name__)
OPEN = (RefundStatus.pending, RefundStatus.processing, RefundStatus.succeeded)
MAX_ATTEMPTS = 10  # then the refund is failed and staff are told
_running: set[asyncio.Task[Any]] = set()  # references only: a refund lost here is retried by jobs


def submit_later(edges: Edges, refund_id: int) -> None:
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
    *, out_trade_no: str, amount_fen: int, reason: str, out_refund_no: str | None,
    staff: StaffPrincipal,
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
        taken = await _taken(order.id, conn)
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


async def _taken(order_id: int, conn: Any) -> int:
    """What the order's refunds give back or are giving back (surplus refunds aside: they
    return a payment of their own)."""
    return sum(r.amount_fen for r in await Refund.filter(
        order_id=order_id, status__in=OPEN, transaction_id__isnull=True).using_db(conn))


async def submit_refund(edges: Edges, refund_id: int) -> Refund:
    """Ask the platform (outside any transaction). Safe to call again: same refund number."""
    refund = await Refund.get(id=refund_id).prefetch_related("order")
    if refund.status is not RefundStatus.pending:
        return refund
    order = refund.order
    gw = edges.payment(order.channel)
    # a surplus payment is refunded by its own transaction; its total is what it paid
    by_tx = {"transaction_id": refund.transaction_id} if refund.transaction_id else {}
    total = refund.amount_fen if refund.transaction_id else order.amount_fen
    try:
        answer = await gw.refund(order.out_trade_no, refund.out_refund_no, refund.amount_fen,
                                 total, refund.reason, **by_tx)
    except ProviderError as exc:
        log.warning("refund %s failed: %s", refund.out_refund_no, exc)
        attempts = refund.attempts + 1
        if exc.retryable and attempts < MAX_ATTEMPTS:
            await Refund.filter(id=refund.id, status=RefundStatus.pending).update(
                error=str(exc)[:255], attempts=attempts)
        else:
            await mark_failed(refund.id, str(exc), attempts=attempts)
        return await Refund.get(id=refund.id)
    state = str(answer.get("state") or answer.get("status") or "processing")
    await Refund.filter(id=refund.id, status=RefundStatus.pending).update(
        status=RefundStatus.processing, attempts=refund.attempts + 1,
        platform_refund_id=str(answer.get("refund_id") or "")[:64] or None,
    )
    if state == "succeeded":
        await apply_refund_success(refund.out_refund_no, actor=PayActor("platform", gw.name))
    elif state == "failed":  # accepted, then closed or abnormal at once
        await mark_failed(refund.id, "退款失败")
    return await Refund.get(id=refund.id)


def _amount_believed(result: PayResult, refund: Refund) -> bool:
    """A refund notify names this refund's amount or the trade's refunded total so far,
    which covers this refund at least."""
    facts = result.refund
    if facts is not None and facts.refund_fen is not None:
        return facts.refund_fen == refund.amount_fen
    if facts is not None and facts.refunded_total_fen is not None:
        return facts.refunded_total_fen >= refund.amount_fen
    return result.amount_fen is None or result.amount_fen == refund.amount_fen


async def apply_refund_result(result: PayResult, *, channel: str, actor: PayActor) -> Settled:
    facts = result.refund
    number = facts.out_refund_no if facts else ""
    # the notify must name the order the refund belongs to, on this channel
    refund = await Refund.filter(out_refund_no=number, order__out_trade_no=result.out_trade_no,
                                 order__channel=channel).first()
    if refund is None:
        return Settled(Outcome.unknown_order)
    if result.state is PayState.refunded:
        if not _amount_believed(result, refund):
            log.warning("refund notify amount differs: %s", number)
            return Settled(Outcome.amount_mismatch, refund.order_id)
        return await apply_refund_success(number, actor=actor)
    failed = await mark_failed(refund.id, (facts.status if facts else None) or "退款失败")
    return Settled(Outcome.applied if failed else Outcome.duplicate, refund.order_id)


async def mark_failed(refund_id: int, error: str, *, attempts: int | None = None) -> bool:
    """The platform will not refund: record it, tell staff (``payment.refund_failed``, an
    outbox event for the staff channel) and leave it for them to retry (``retry_refund``).
    Answers False when the refund had ended already."""
    async with in_transaction() as conn:
        refund = await Refund.select_for_update().using_db(conn).get(id=refund_id)
        if refund.status in (RefundStatus.succeeded, RefundStatus.failed):
            return False
        order = await PaymentOrder.get(id=refund.order_id, using_db=conn).prefetch_related(
            "case")
        refund.status, refund.error, refund.finished_at = (
            RefundStatus.failed, error[:255] or "退款失败", clock.now())
        if attempts is not None:
            refund.attempts = attempts
        await refund.save(using_db=conn)
        await record_event(order, "refund_failed", actor=SYSTEM, reason=refund.error,
                           data={"out_refund_no": refund.out_refund_no,
                                 "amount_fen": refund.amount_fen}, conn=conn)
        await emit("payment.refund_failed", aggregate="payment_order", aggregate_id=order.id,
                   payload={"out_trade_no": order.out_trade_no, "case_id": order.case_id,
                            "department_id": order.case.department_id,
                            "out_refund_no": refund.out_refund_no,
                            "amount_fen": refund.amount_fen, "automatic": refund.automatic,
                            "error": refund.error},
                   connection=conn)
        return True


async def retry_refund(edges: Edges, *, out_trade_no: str, out_refund_no: str,
                       staff: StaffPrincipal) -> Refund:
    """Staff ask again for a refund that failed: same refund number, so money moves once.
    What was refunded since (a replacement refund, say) counts: the retry must still fit in
    what the order can give back."""
    order = await order_for_staff(out_trade_no, staff)
    async with in_transaction() as conn:
        order = await PaymentOrder.select_for_update().using_db(conn).get(id=order.id)
        refund = await Refund.select_for_update().using_db(conn).get_or_none(
            out_refund_no=out_refund_no, order_id=order.id)
        if refund is None:
            raise NotFound("退款记录不存在", code="REFUND_NOT_FOUND")
        if refund.status is not RefundStatus.failed:
            raise Conflict("只有失败的退款可以重试", code="REFUND_NOT_FAILED")
        if refund.transaction_id is None:  # a surplus refund gives back its own payment
            if order.status is not OrderStatus.paid:
                raise Conflict("订单未支付或已全额退款，不能退款", code="ORDER_NOT_REFUNDABLE")
            taken = await _taken(order.id, conn)
            if taken + refund.amount_fen > order.amount_fen:
                raise Conflict("重试将超出可退金额（已有其他退款）", code="REFUND_AMOUNT_INVALID",
                               fields={"amount_fen": f"最多可退 {order.amount_fen - taken} 分"})
        refund.status, refund.attempts, refund.finished_at = RefundStatus.pending, 0, None
        await refund.save(using_db=conn)
        await record_event(order, "refund_retried", actor=PayActor("staff", str(staff.id)),
                           reason="重新发起退款", data={"out_refund_no": out_refund_no},
                           conn=conn)
    return await submit_refund(edges, refund.id)


async def failed_refunds(staff: StaffPrincipal) -> list[dict[str, Any]]:
    """Refunds the platform refused, of the departments the staff member sees."""
    qs = Refund.filter(status=RefundStatus.failed).prefetch_related("order").order_by("-id")
    if staff.department_scope is not None:
        qs = qs.filter(order__case__department_id=staff.department_scope)
    return [{**refund_view(r), "out_trade_no": r.order.out_trade_no}
            for r in await qs.limit(500)]


async def apply_refund_success(out_refund_no: str, *, actor: PayActor = SYSTEM) -> Settled:
    async with in_transaction() as conn:
        peek = await Refund.filter(out_refund_no=out_refund_no).using_db(conn).first()
        if peek is None:
            return Settled(Outcome.unknown_order)
        order = await PaymentOrder.select_for_update().using_db(conn).get(id=peek.order_id)
        refund = await Refund.select_for_update().using_db(conn).get(id=peek.id)
        if refund.status is RefundStatus.succeeded:
            return Settled(Outcome.duplicate, order.id)
        refund.status = RefundStatus.succeeded
        refund.finished_at = clock.now()
        refund.error = None
        await refund.save(using_db=conn)
        if refund.transaction_id and refund.transaction_id != order.transaction_id:
            return await _surplus_refunded(order, refund, actor, conn)
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
        return Settled(Outcome.applied, order.id)



async def _surplus_refunded(order: PaymentOrder, refund: Refund, actor: PayActor,
                            conn: Any) -> Settled:
    """A surplus payment went back: the order's own payment, refunds and receipt stay."""
    await record_event(order, "surplus_refunded", actor=actor, reason=refund.reason,
                       data={"out_refund_no": refund.out_refund_no,
                             "transaction_id": refund.transaction_id,
                             "amount_fen": refund.amount_fen}, conn=conn)
    await emit("payment.refunded", aggregate="payment_order", aggregate_id=order.id,
               payload={"out_trade_no": order.out_trade_no, "case_id": order.case_id,
                        "out_refund_no": refund.out_refund_no, "amount_fen": refund.amount_fen,
                        "automatic": refund.automatic, "surplus": True},
               person_id=order.person_id, connection=conn)
    return Settled(Outcome.applied, order.id)
