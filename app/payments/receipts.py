"""财政电子票据: one receipt per paid order, voided (红冲) when the order is refunded in full.

Issued after the payment's transaction, not inside it: a notify then holds its row locks for
fewer statements, and receipts of many payments share a few batched statements.

The payer's name is copied as the ciphertext the identity record holds; answers show it masked.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import datetime
from typing import Any, cast

from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from app import clock, sql
from app.security import pii
from models.payments import OrderStatus, PaymentOrder, Receipt

log = logging.getLogger(__name__)

RECEIPT_CODE = "33010126"  # 票据代码 of the (demo) finance bureau's e-receipt batch


BATCH = 200
FLUSH_DELAY = 0.02  # seconds a receipt waits for others to share its statements
_pending: set[int] = set()
_flushing: asyncio.Task[None] | None = None


def issue_soon(order_id: int) -> None:
    """Issue the receipt of a newly paid order shortly after its transaction committed,
    batched with others. Losing it here (a crash, a failed batch) only delays it: the
    periodic job issues every missing receipt (``issue_missing``)."""
    global _flushing
    _pending.add(order_id)
    if _flushing is None or _flushing.done():
        _flushing = asyncio.get_running_loop().create_task(_flush())


async def _flush() -> None:
    await asyncio.sleep(FLUSH_DELAY)
    while _pending:
        batch = [_pending.pop() for _ in range(min(BATCH, len(_pending)))]
        try:
            await issue_receipts(batch)
        except Exception:  # the sweep job issues them later
            log.exception("issuing %d receipts failed", len(batch))


_DUE = (
    "SELECT o.id, o.person_id, o.amount_fen, o.status, p.name_enc, d.name AS payee"
    " FROM payment_order o JOIN case_record c ON c.id = o.case_id"
    " LEFT JOIN department d ON d.id = c.department_id LEFT JOIN person p ON p.id = o.person_id"
    " WHERE o.id IN ({ids}) AND o.anomaly IS NULL AND o.status IN ('paid', 'refunded')"
    " AND NOT EXISTS (SELECT 1 FROM payment_receipt r WHERE r.order_id = o.id)"
    " ORDER BY o.id{lock_o}"
)
_ITEMS = (
    "SELECT order_id, name, amount_fen, nontax_code, collecting_unit_code"
    " FROM payment_order_item WHERE order_id IN ({ids}) ORDER BY id"
)
_INSERT = (
    "INSERT INTO payment_receipt (order_id, person_id, number, code, check_code, payer_name_enc,"
    " payee, items, amount_fen, status, issued_at) VALUES {rows}"
    " ON CONFLICT (order_id) DO NOTHING"
)


async def issue_receipts(order_ids: list[int]) -> int:
    """Issue the receipts of these orders that are due and not yet issued; answer how many.
    Idempotent (one receipt per order, a unique column). Under the orders' row locks, so a
    full refund that voids receipts either sees this one or is seen by it."""
    ids = sorted(set(order_ids))
    if not ids:
        return 0
    async with in_transaction() as conn:
        due = await sql.rows(conn, _DUE.replace("{ids}", sql.marks(len(ids))), *ids)
        if not due:
            return 0
        due_ids = [int(o["id"]) for o in due]
        items: dict[int, list[dict[str, Any]]] = {}
        for item in await sql.rows(conn, _ITEMS.replace("{ids}", sql.marks(len(due_ids))),
                                   *due_ids):
            items.setdefault(int(item.pop("order_id")), []).append(item)
        now = clock.now()
        values: list[Any] = []
        for order in due:
            values += _receipt(order, items.get(int(order["id"]), []), now)
        await sql.execute(conn, _INSERT.replace("{rows}", sql.marks(len(due), 11)), *values)
        return len(due)


def _receipt(order: dict[str, Any], items: list[dict[str, Any]], now: datetime) -> list[Any]:
    order_id, amount = int(order["id"]), int(order["amount_fen"])
    number = f"{clock.local(now):%y}{order_id:08d}"
    digest = hashlib.sha256(f"{RECEIPT_CODE}{number}{amount}".encode()).hexdigest()
    payee = order["payee"] or (items[0]["collecting_unit_code"] if items else "")
    # refunded in full before its receipt was issued: the receipt is born voided (红冲)
    status = "voided" if order["status"] == OrderStatus.refunded else "issued"
    return [order_id, order["person_id"], number, RECEIPT_CODE, digest[:6].upper(),
            order["name_enc"], payee, sql.dumps(items), amount, status, now]


async def issue_missing(*, limit: int = 500) -> int:
    """The sweep behind ``issue_soon``: paid orders still without a receipt."""
    ids = await PaymentOrder.filter(
        status__in=[OrderStatus.paid, OrderStatus.refunded], anomaly__isnull=True,
    ).exclude(id__in=Subquery(Receipt.all().values("order_id"))).order_by("id").limit(
        limit).values_list("id", flat=True)
    return await issue_receipts(cast(list[int], ids))  # values_list(flat=True) is typed tuples


def receipt_view(receipt: Receipt, out_trade_no: str | None = None) -> dict[str, Any]:
    name = pii.decrypt(receipt.payer_name_enc) if receipt.payer_name_enc else None
    return {
        "number": receipt.number,
        "code": receipt.code,
        "check_code": receipt.check_code,
        "payer": pii.mask_name(name),
        "payee": receipt.payee,
        "items": receipt.items,
        "amount_fen": receipt.amount_fen,
        "status": receipt.status,
        "issued_at": clock.iso(receipt.issued_at),
        "out_trade_no": out_trade_no,
    }


async def receipts_of(person_id: int) -> list[dict[str, Any]]:
    rows = await Receipt.filter(person_id=person_id).order_by("-issued_at").prefetch_related(
        "order"
    )
    return [receipt_view(r, r.order.out_trade_no) for r in rows]
