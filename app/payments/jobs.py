"""Periodic payment work: expire unpaid orders, settle pending ones, retry refunds.

Every step may run twice (two workers, a crash, a re-run) and is idempotent: the platform is
asked first, the local change is made under the order's lock only if still due. A lease in the
key-value store keeps one runner at a time across workers.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from app import clock
from app.edges import Edges
from app.interfaces import PayState, ProviderError
from app.payments.events import SYSTEM
from app.payments.outcomes import Outcome
from app.payments.receipts import issue_missing
from app.payments.refunds import MAX_ATTEMPTS, apply_refund_success, mark_failed, submit_refund
from app.payments.settle import apply_closed, apply_result
from app.periodic import under_lease
from models.payments import OrderStatus, PaymentOrder, Refund, RefundStatus

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 30.0
LEASE = "payments:jobs"


async def settle_order(edges: Edges, order: PaymentOrder, *, close_if_unpaid: bool
                       ) -> Outcome:
    """Query the platform; settle a paid order, close an unpaid one when asked. Answers the
    outcome (``applied``, ``closed``, ``pending`` …)."""
    gw = edges.payment(order.channel)
    try:
        result = await gw.query(order.out_trade_no)
    except ProviderError as exc:
        log.info("query %s failed: %s", order.out_trade_no, exc)
        return Outcome.error
    if result.state in (PayState.paid, PayState.closed):
        return (await apply_result(result, channel=order.channel, actor=SYSTEM)).outcome
    if not close_if_unpaid:
        return Outcome.pending
    try:
        await gw.close(order.out_trade_no)
    except ProviderError as exc:  # paid in the meantime, or the platform is down: next round
        log.info("close %s failed: %s", order.out_trade_no, exc)
        return Outcome.error
    return (await apply_closed(order.out_trade_no, channel=order.channel, actor=SYSTEM)).outcome


async def expire_orders(edges: Edges, *, limit: int = 200) -> dict[str, int]:
    counts: dict[str, int] = {}
    due = await PaymentOrder.filter(
        status=OrderStatus.pending, expires_at__lte=clock.now()
    ).order_by("expires_at").limit(limit)
    for order in due:
        outcome = await settle_order(edges, order, close_if_unpaid=True)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


async def retry_refunds(edges: Edges, *, limit: int = 100) -> int:
    pending = await Refund.filter(
        status=RefundStatus.pending, attempts__lt=MAX_ATTEMPTS
    ).order_by("id").limit(limit)
    for refund in pending:
        await submit_refund(edges, refund.id)
    return len(pending)


async def check_refunds(edges: Edges, *, older_than: timedelta = timedelta(minutes=1),
                        limit: int = 100) -> int:
    """Refunds the platform accepted but never notified: ask how they ended."""
    due = await Refund.filter(
        status=RefundStatus.processing, created_at__lte=clock.now() - older_than
    ).prefetch_related("order").order_by("id").limit(limit)
    settled = 0
    for refund in due:
        gw = edges.payment(refund.order.channel)
        ask = getattr(gw, "refund_status", None)
        if ask is None:
            continue
        try:
            answer = await ask(refund.order.out_trade_no, refund.out_refund_no)
        except ProviderError as exc:
            log.info("refund query %s failed: %s", refund.out_refund_no, exc)
            continue
        if answer.get("status") == "succeeded":
            await apply_refund_success(refund.out_refund_no, actor=SYSTEM)
            settled += 1
        elif answer.get("status") == "failed":
            await mark_failed(refund.id, "退款失败")
    return settled


async def run_once(edges: Edges) -> dict[str, int]:
    counts = await expire_orders(edges)
    counts["refunds_submitted"] = await retry_refunds(edges)
    counts["refunds_settled"] = await check_refunds(edges)
    counts["receipts_issued"] = await issue_missing()
    return counts


async def payment_jobs(app: Any) -> None:
    """Background task (``app/wiring.py``): one runner at a time holds the lease."""
    await under_lease(app, lease=LEASE, interval=INTERVAL_SECONDS,
                      job=lambda: run_once(app.ctx.edges), name="payment jobs")
