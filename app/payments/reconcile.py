"""Daily reconciliation: the platform's bill, our orders and refunds, and a live query.

Bill and orders are matched by ``out_trade_no`` (refunds by ``out_refund_no``). Where they
disagree, the platform is asked about the order before a mismatch is written, so a payment
whose notify never came is settled rather than reported. Pending orders of the day are queried
and settled or closed. Re-running a day replaces its unresolved mismatches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from app import clock
from app.edges import Edges
from app.interfaces import FinalProviderError
from app.payments.jobs import settle_order
from models.payments import (
    OrderStatus,
    PaymentOrder,
    ReconciliationMismatch,
    ReconciliationRun,
    Refund,
    RefundStatus,
)

log = logging.getLogger(__name__)
Tick = Callable[[int], None]


def day_window(bill_date: str) -> tuple[datetime, datetime]:
    start = clock.local_at(date.fromisoformat(bill_date), time(0))
    return start, start + timedelta(days=1)


def normalise(row: dict[str, Any]) -> dict[str, Any]:
    """Both gateways' bill rows → ``{kind, out_trade_no, out_refund_no, amount_fen}``."""
    refund = str(row.get("kind")) == "refund"
    amount = row.get("refund_fen") if refund and row.get("refund_fen") else row.get("amount_fen")
    return {"kind": "refund" if refund else "payment", "out_trade_no": str(row["out_trade_no"]),
            "out_refund_no": str(row.get("out_refund_no") or "") or None,
            "amount_fen": int(amount or 0)}


async def _local(channel: str, start: datetime, end: datetime) -> tuple[dict, dict]:
    paid = await PaymentOrder.filter(
        channel=channel, paid_at__gte=start, paid_at__lt=end,
        status__in=[OrderStatus.paid, OrderStatus.refunded],
    )
    refunds = await Refund.filter(
        order__channel=channel, status=RefundStatus.succeeded, finished_at__gte=start,
        finished_at__lt=end,
    ).prefetch_related("order")
    return ({o.out_trade_no: o for o in paid}, {r.out_refund_no: r for r in refunds})


async def reconcile(
    channel: str, bill_date: str, *, edges: Edges, tick: Tick | None = None,
    on_total: Callable[[int], None] | None = None,
) -> ReconciliationRun:
    run, _ = await ReconciliationRun.get_or_create(
        channel=channel, bill_date=bill_date, defaults={"started_at": clock.now()}
    )
    run.status, run.started_at, run.error = "running", clock.now(), None  # type: ignore[assignment]  # TextField(null=True) is typed str
    await run.save()
    try:
        return await _run(run, channel, bill_date, edges=edges, tick=tick, on_total=on_total)
    except Exception as exc:  # the run says it failed instead of staying "running"
        run.status, run.error, run.finished_at = "failed", repr(exc)[:2000], clock.now()
        await run.save()
        raise


async def _run(
    run: ReconciliationRun, channel: str, bill_date: str, *, edges: Edges, tick: Tick | None,
    on_total: Callable[[int], None] | None,
) -> ReconciliationRun:
    start, end = day_window(bill_date)
    try:
        rows = [normalise(r) for r in await edges.payment(channel).download_bill(bill_date)]
    except FinalProviderError as exc:  # e.g. NO_STATEMENT_EXIST: nothing traded that day
        log.info("no %s bill for %s: %s", channel, bill_date, exc)
        rows = []
    pending = await PaymentOrder.filter(channel=channel, status=OrderStatus.pending,
                                        created_at__lt=end)
    if on_total:
        on_total(len(rows) + len(pending) + 1)
    step = tick or (lambda n: None)
    counts = {"bill_rows": len(rows), "matched": 0, "settled": 0, "pending_checked": 0}
    found: list[dict[str, Any]] = []
    for order in pending:  # settle first, so the comparison sees today's truth
        await settle_order(edges, order, close_if_unpaid=order.expires_at <= clock.now())
        counts["pending_checked"] += 1
        step(1)
    orders, refunds = await _local(channel, start, end)
    seen_orders: set[str] = set()
    seen_refunds: set[str] = set()
    for row in rows:
        step(1)
        if row["kind"] == "refund":
            key = row["out_refund_no"] or ""
            seen_refunds.add(key)
            refund = refunds.get(key)
            if refund is None:
                found.append({"kind": "missing_local", "out_trade_no": row["out_trade_no"],
                              "out_refund_no": key, "platform_fen": row["amount_fen"]})
            elif refund.amount_fen != row["amount_fen"]:
                found.append({"kind": "amount_differs", "out_trade_no": row["out_trade_no"],
                              "out_refund_no": key, "local_fen": refund.amount_fen,
                              "platform_fen": row["amount_fen"]})
            else:
                counts["matched"] += 1
            continue
        no = row["out_trade_no"]
        seen_orders.add(no)
        local: PaymentOrder | None = orders.get(no)
        if local is None:
            local = await _settle_unknown(edges, channel, no)
            if local is not None:
                counts["settled"] += 1
        if local is None:
            found.append({"kind": "missing_local", "out_trade_no": no,
                          "platform_fen": row["amount_fen"]})
        elif local.amount_fen != row["amount_fen"]:
            found.append({"kind": "amount_differs", "out_trade_no": no,
                          "local_fen": local.amount_fen, "platform_fen": row["amount_fen"]})
        else:
            counts["matched"] += 1
    for no, order in orders.items():
        if no not in seen_orders:
            found.append({"kind": "missing_platform", "out_trade_no": no,
                          "local_fen": order.amount_fen})
    for key, refund in refunds.items():
        if key not in seen_refunds:
            found.append({"kind": "missing_platform", "out_trade_no": refund.order.out_trade_no,
                          "out_refund_no": key, "local_fen": refund.amount_fen})
    await _store(run, found, counts)
    step(1)
    return run


async def _settle_unknown(edges: Edges, channel: str, no: str) -> PaymentOrder | None:
    """In the bill, not paid on our side: ask the platform, settle if it says paid."""
    order = await PaymentOrder.get_or_none(out_trade_no=no, channel=channel)
    if order is None:
        return None
    if order.status in (OrderStatus.pending, OrderStatus.closed):
        await settle_order(edges, order, close_if_unpaid=False)
        order = await PaymentOrder.get(id=order.id)
    return order if order.status in (OrderStatus.paid, OrderStatus.refunded) else None


async def _store(run: ReconciliationRun, found: list[dict[str, Any]],
                 counts: dict[str, int]) -> None:
    async with in_transaction() as conn:
        await ReconciliationMismatch.filter(run_id=run.id, resolved=False).using_db(conn).delete()
        resolved = {
            (m.kind, m.out_trade_no, m.out_refund_no)
            for m in await ReconciliationMismatch.filter(run_id=run.id).using_db(conn)
        }
        for item in found:
            if (item["kind"], item["out_trade_no"], item.get("out_refund_no")) in resolved:
                continue
            await ReconciliationMismatch.create(run_id=run.id, **item, using_db=conn)
        counts["mismatches"] = len(found)
        run.status, run.counts, run.finished_at = "done", counts, clock.now()
        await run.save(using_db=conn)


def mismatch_view(m: ReconciliationMismatch, run: ReconciliationRun) -> dict[str, Any]:
    return {"id": m.id, "channel": run.channel, "bill_date": run.bill_date, "kind": m.kind,
            "out_trade_no": m.out_trade_no, "out_refund_no": m.out_refund_no,
            "local_fen": m.local_fen, "platform_fen": m.platform_fen, "resolved": m.resolved,
            "note": m.note}
