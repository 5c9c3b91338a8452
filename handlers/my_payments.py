"""The user centre's payment orders: every order of mine (not only one case's), each with its
electronic receipt once issued."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sanic import Blueprint, HTTPResponse

from app.context import AppRequest
from app.handler_kit import doc, ok, query, returns
from app.payments.mine import orders_with_receipts
from app.payments.schemas import OrderOut, ReceiptOut
from app.security.auth import citizen_required

bp = Blueprint("my_payments")


class MyOrdersQuery(BaseModel):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


class MyOrderOut(OrderOut):
    case_no: str
    item_name: str
    receipt: ReceiptOut | None


class MyOrderListOut(BaseModel):
    items: list[MyOrderOut]
    total: int


@bp.get("/api/v1/me/orders")
@doc("All my payment orders, newest first, with their receipts (财政电子票据)", "user centre")
@citizen_required
@query(MyOrdersQuery)
@returns(MyOrderListOut)
async def my_orders(request: AppRequest) -> HTTPResponse:
    q: MyOrdersQuery = request.ctx.query
    items, total = await orders_with_receipts(request.ctx.person_id, limit=q.limit,
                                              offset=q.offset)
    return ok({"items": items, "total": total})
