"""Request and answer shapes of the payment API."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from app.payments.refund_numbers import AUTOMATIC_REFUND_NO


class CreateOrderIn(BaseModel):
    case_id: int
    channel: Literal["wechatpay", "alipay"]
    scene: Literal["jsapi", "app", "miniprogram", "h5"]
    # openid / Alipay buyer id; taken from the person's bound account when left out
    payer_id: str | None = Field(default=None, max_length=128)


class OrdersQuery(BaseModel):
    case_id: int


class OrderOut(BaseModel):
    out_trade_no: str
    case_id: int
    channel: str
    scene: str
    subject: str
    amount_fen: int
    refunded_fen: int
    status: str
    status_label: str
    anomaly: str | None = None
    transaction_id: str | None = None
    expires_at: str | None = None
    paid_at: str | None = None
    created_at: str | None = None


class CreateOrderOut(BaseModel):
    order: OrderOut
    pay: dict[str, Any]  # what the front end hands to the platform's cashier


class OrderListOut(BaseModel):
    items: list[OrderOut]


class ReceiptOut(BaseModel):
    number: str
    code: str
    check_code: str
    payer: str | None
    payee: str
    items: list[dict[str, Any]]
    amount_fen: int
    status: str
    issued_at: str | None
    out_trade_no: str | None


class ReceiptListOut(BaseModel):
    items: list[ReceiptOut]


class RefundIn(BaseModel):
    amount_fen: int = Field(ge=1, le=2**31 - 1)
    reason: str = Field(min_length=2, max_length=200)
    out_refund_no: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_\-|*@]{6,64}$")

    @field_validator("out_refund_no")
    @classmethod
    def _not_automatic(cls, value: str | None) -> str | None:
        """``<order>AR`` and ``<order>S<8 hex>`` are the automatic refunds' numbers: a staff
        refund holding one would stop that order's automatic refund."""
        if value and AUTOMATIC_REFUND_NO.search(value):
            raise ValueError("以 AR 或 S+8位十六进制结尾的退款单号保留给自动退款")
        return value


class RefundOut(BaseModel):
    out_refund_no: str
    amount_fen: int
    reason: str
    status: str
    automatic: bool
    error: str | None = None
    created_at: str | None = None
    finished_at: str | None = None


class FailedRefundOut(RefundOut):
    out_trade_no: str


class FailedRefundListOut(BaseModel):
    items: list[FailedRefundOut]


class StaffOrderOut(BaseModel):
    order: OrderOut
    refunds: list[RefundOut]
    events: list[dict[str, Any]]


class MismatchQuery(BaseModel):
    bill_date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    channel: Literal["wechatpay", "alipay"] | None = None
    resolved: bool | None = None


class MismatchOut(BaseModel):
    id: int
    channel: str
    bill_date: str
    kind: str
    out_trade_no: str
    out_refund_no: str | None = None
    local_fen: int | None = None
    platform_fen: int | None = None
    resolved: bool
    note: str | None = None


class MismatchListOut(BaseModel):
    items: list[MismatchOut]


class ResolveIn(BaseModel):
    note: str = Field(min_length=2, max_length=500)


class ReconcileIn(BaseModel):
    bill_date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    channel: Literal["wechatpay", "alipay"]

    @field_validator("bill_date")
    @classmethod
    def _real_day(cls, value: str) -> str:
        date.fromisoformat(value)  # 2026-13-45 matches the pattern; ValueError → 422
        return value


class ReconcileOut(BaseModel):
    channel: str
    bill_date: str
    status: str
    counts: dict[str, int]
