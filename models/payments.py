"""Payments: orders for a case's fees, raw notifies, refunds, receipts, reconciliation.

Amounts are integer fen. Every change of an order's status is a ``PaymentEvent`` (全过程留痕).
Idempotency rests on unique constraints: ``out_trade_no``, ``(channel, notify_id)``,
``out_refund_no``, one receipt per order, one reconciliation run per channel and day.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.cases import Case
    from models.identity import Person


class OrderStatus(StrEnum):
    pending = "pending"  # created, waiting for the payer
    paid = "paid"
    closed = "closed"  # expired, replaced or cancelled before payment
    refunded = "refunded"  # refunded in full


class Anomaly(StrEnum):
    paid_after_close = "paid_after_close"  # the payer paid an order we had closed
    duplicate_payment = "duplicate_payment"  # the case's fees were already paid elsewhere
    case_not_payable = "case_not_payable"  # the case no longer waits for fees (withdrawn)


class PaymentOrder(Model):
    id = fields.IntField(primary_key=True)
    out_trade_no = fields.CharField(max_length=32, unique=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "cases.Case", related_name="payment_orders", on_delete=fields.RESTRICT
    )
    case_id: int
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "identity.Person", related_name="payment_orders", on_delete=fields.RESTRICT
    )
    person_id: int
    channel = fields.CharField(max_length=16)  # wechatpay | alipay
    scene = fields.CharField(max_length=16)  # jsapi | app | miniprogram
    subject = fields.CharField(max_length=128)
    amount_fen = fields.IntField()
    status = fields.CharEnumField(OrderStatus, max_length=16, default=OrderStatus.pending)
    anomaly = fields.CharEnumField(Anomaly, max_length=32, null=True)
    payer_id = fields.CharField(max_length=128, null=True)  # openid / Alipay buyer id
    transaction_id = fields.CharField(max_length=64, null=True)  # the platform's trade number
    # what the front end got to open the cashier
    pay_params = fields.JSONField[dict[str, Any]](default=dict)
    refunded_fen = fields.IntField(default=0)
    expires_at = fields.DatetimeField()
    paid_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "payment_order"
        indexes = (("status", "expires_at"), ("case_id", "status"))


class PaymentOrderItem(Model):
    """One fee line (非税收入): 执收单位编码 and 项目编码 as the catalogue gave them."""

    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[PaymentOrder] = fields.ForeignKeyField(
        "payments.PaymentOrder", related_name="items", on_delete=fields.CASCADE
    )
    order_id: int
    name = fields.CharField(max_length=128)
    amount_fen = fields.IntField()
    nontax_code = fields.CharField(max_length=64, default="")
    collecting_unit_code = fields.CharField(max_length=64, default="")

    class Meta:
        table = "payment_order_item"


class PaymentNotify(Model):
    """Every notify as it arrived, before it was believed, with what became of it."""

    id = fields.BigIntField(primary_key=True)
    channel = fields.CharField(max_length=16)
    notify_id = fields.CharField(max_length=128, null=True)  # set only once verified
    out_trade_no = fields.CharField(max_length=64, null=True, db_index=True)
    kind = fields.CharField(max_length=16, null=True)  # app.interfaces.NotifyKind
    headers = fields.JSONField[dict[str, Any]](default=dict)
    body = fields.TextField()
    verified = fields.BooleanField(default=False)
    error = fields.CharField(max_length=255, null=True)
    outcome = fields.CharField(max_length=24, default="received")  # app.payments.outcomes
    deliveries = fields.IntField(default=1)
    received_at = fields.DatetimeField(auto_now_add=True)
    handled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "payment_notify"
        unique_together = (("channel", "notify_id"),)


class RefundStatus(StrEnum):
    pending = "pending"  # recorded, platform not yet asked (or asking failed: retried)
    processing = "processing"  # the platform accepted it
    succeeded = "succeeded"
    failed = "failed"


class Refund(Model):
    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[PaymentOrder] = fields.ForeignKeyField(
        "payments.PaymentOrder", related_name="refunds", on_delete=fields.RESTRICT
    )
    order_id: int
    out_refund_no = fields.CharField(max_length=64, unique=True)
    amount_fen = fields.IntField()
    reason = fields.CharField(max_length=200)
    status = fields.CharEnumField(RefundStatus, max_length=16, default=RefundStatus.pending)
    automatic = fields.BooleanField(default=False)
    requested_by = fields.IntField(null=True)  # staff id; None for automatic refunds
    platform_refund_id = fields.CharField(max_length=64, null=True)
    # set only when refunding a surplus payment (a second platform transaction of an order
    # already paid): the refund names that transaction and leaves the order's own payment be
    transaction_id = fields.CharField(max_length=64, null=True)
    error = fields.CharField(max_length=255, null=True)
    attempts = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "payment_refund"


class Receipt(Model):
    """财政电子票据 for one paid order."""

    id = fields.IntField(primary_key=True)
    order: fields.OneToOneRelation[PaymentOrder] = fields.OneToOneField(
        "payments.PaymentOrder", related_name="receipt", on_delete=fields.RESTRICT
    )
    order_id: int
    person_id = fields.IntField(db_index=True)
    number = fields.CharField(max_length=32, unique=True)  # 票据号码
    code = fields.CharField(max_length=16)  # 票据代码
    check_code = fields.CharField(max_length=16)  # 校验码
    payer_name_enc = fields.TextField(null=True)  # encrypted (app.security.pii)
    payee = fields.CharField(max_length=128)  # 收款单位 (执收单位)
    items = fields.JSONField[list[Any]](default=list)  # fee lines, as PaymentOrderItem
    amount_fen = fields.IntField()
    status = fields.CharField(max_length=16, default="issued")  # issued | voided (红冲)
    issued_at = fields.DatetimeField()

    class Meta:
        table = "payment_receipt"


class ReconciliationRun(Model):
    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=16)
    bill_date = fields.CharField(max_length=10)  # YYYY-MM-DD (the platform's day, UTC+8)
    status = fields.CharField(max_length=16, default="running")  # running | done | failed
    counts = fields.JSONField[dict[str, Any]](default=dict)
    error = fields.TextField(null=True)
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "payment_recon_run"
        unique_together = (("channel", "bill_date"),)


class ReconciliationMismatch(Model):
    id = fields.IntField(primary_key=True)
    run: fields.ForeignKeyRelation[ReconciliationRun] = fields.ForeignKeyField(
        "payments.ReconciliationRun", related_name="mismatches", on_delete=fields.CASCADE
    )
    run_id: int
    # missing_local | missing_platform | amount_differs
    kind = fields.CharField(max_length=24)
    out_trade_no = fields.CharField(max_length=64)
    out_refund_no = fields.CharField(max_length=64, null=True)
    local_fen = fields.IntField(null=True)
    platform_fen = fields.IntField(null=True)
    detail = fields.JSONField[dict[str, Any]](default=dict)
    resolved = fields.BooleanField(default=False)
    resolved_by = fields.IntField(null=True)
    note = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "payment_recon_mismatch"


class PaymentEvent(Model):
    """A status change of an order (or one of its refunds): who, when, from, to, why."""

    id = fields.BigIntField(primary_key=True)
    order: fields.ForeignKeyRelation[PaymentOrder] = fields.ForeignKeyField(
        "payments.PaymentOrder", related_name="events", on_delete=fields.CASCADE
    )
    order_id: int
    actor_kind = fields.CharField(max_length=16)  # citizen | staff | system | platform
    actor_id = fields.CharField(max_length=64)
    from_status = fields.CharField(max_length=24, null=True)
    to_status = fields.CharField(max_length=24)
    reason = fields.TextField(null=True)
    data = fields.JSONField[dict[str, Any]](default=dict)
    at = fields.DatetimeField()

    class Meta:
        table = "payment_event"
