"""财政电子票据: one receipt per paid order, voided (红冲) when the order is refunded in full.

The payer's name is copied as the ciphertext the identity record holds; answers show it masked.
"""

from __future__ import annotations

import hashlib
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from app import clock
from app.security import pii
from models.cases import Case
from models.core import Department
from models.identity import Person
from models.payments import PaymentOrder, PaymentOrderItem, Receipt

RECEIPT_CODE = "33010126"  # 票据代码 of the (demo) finance bureau's e-receipt batch


async def issue_receipt(order: PaymentOrder, case: Case, conn: BaseDBAsyncClient) -> Receipt:
    # called once per order, under its row lock, when it becomes paid (order_id is unique too)
    items = await PaymentOrderItem.filter(order_id=order.id).using_db(conn).order_by("id")
    person = await Person.filter(id=order.person_id).using_db(conn).first()
    department = await Department.filter(id=case.department_id).using_db(conn).first()
    number = f"{clock.local(clock.now()):%y}{order.id:08d}"
    digest = hashlib.sha256(f"{RECEIPT_CODE}{number}{order.amount_fen}".encode()).hexdigest()
    return await Receipt.create(
        order_id=order.id,
        person_id=order.person_id,
        number=number,
        code=RECEIPT_CODE,
        check_code=digest[:6].upper(),
        payer_name_enc=person.name_enc if person else None,
        payee=department.name if department else (items[0].collecting_unit_code if items else ""),
        items=[
            {"name": i.name, "amount_fen": i.amount_fen, "nontax_code": i.nontax_code,
             "collecting_unit_code": i.collecting_unit_code}
            for i in items
        ],
        amount_fen=order.amount_fen,
        issued_at=clock.now(),
        using_db=conn,
    )


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
