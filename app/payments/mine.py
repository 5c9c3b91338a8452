"""The user centre's payments: all my orders, newest first, each with its 财政电子票据."""

from __future__ import annotations

from typing import Any

from app.payments.receipts import receipts_of
from app.payments.views import order_view
from models.payments import PaymentOrder


async def orders_with_receipts(person_id: int, *, limit: int, offset: int
                               ) -> tuple[list[dict[str, Any]], int]:
    query = PaymentOrder.filter(person_id=person_id)
    total = await query.count()
    orders = await query.order_by("-id").offset(offset).limit(limit).prefetch_related("case")
    receipts = {r["out_trade_no"]: r for r in await receipts_of(person_id)}
    items = []
    for order in orders:
        view = order_view(order)
        view.update(case_no=order.case.number, item_name=order.case.item_name,
                    receipt=receipts.get(order.out_trade_no))
        items.append(view)
    return items, total
