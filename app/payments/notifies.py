"""Inbound payment notifies: verify → record raw → act → answer, idempotently.

Each delivery is recorded with its verification result. A verified notify takes its
platform id (unique per channel), so redeliveries of one notify share one row and count
``deliveries``; an unverified one never takes an id (a forgery cannot squat a real one).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from app import clock
from app.interfaces import PaymentGateway, PayResult
from app.payments.common import PayActor
from app.payments.refunds import apply_refund_result
from app.payments.settle import Settled, apply_result
from models.payments import PaymentNotify

log = logging.getLogger(__name__)
KEPT_HEADERS = ("wechatpay-timestamp", "wechatpay-nonce", "wechatpay-serial",
                "wechatpay-signature-type", "content-type", "user-agent", "request-id")


# outcomes written only after the acting transaction committed; a redelivery may stop there
SETTLED = frozenset({"applied", "duplicate", "anomaly", "closed", "ignored"})


@dataclass(frozen=True)
class NotifyOutcome:
    outcome: str  # applied | duplicate | rejected | unknown_order | amount_mismatch | anomaly
    #               | ignored | closed | error
    error: Exception | None = None
    refund_id: int | None = None  # an automatic refund to submit after the answer

    @property
    def handled(self) -> bool:
        """True when the platform may stop retrying."""
        return self.outcome not in {"rejected", "unknown_order", "amount_mismatch", "error"}


def _kept(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() in KEPT_HEADERS}


async def _record(channel: str, headers: Mapping[str, str], body: bytes,
                  result: PayResult | None, error: Exception | None) -> PaymentNotify:
    notify_id = str(result.raw.get("notify_id") or "") if result else ""
    fields: dict[str, Any] = dict(
        channel=channel, headers=_kept(headers), body=body.decode("utf-8", "replace"),
        verified=result is not None, error=(str(error) or type(error).__name__)[:255] if error
        else None, out_trade_no=result.out_trade_no[:64] if result else None,
        kind=str(result.raw.get("kind") or "payment") if result else None,
    )
    if not notify_id:
        return await PaymentNotify.create(**fields)
    try:
        return await PaymentNotify.create(notify_id=notify_id, **fields)
    except IntegrityError:  # a redelivery: the first row stands
        await PaymentNotify.filter(channel=channel, notify_id=notify_id).update(
            deliveries=F("deliveries") + 1
        )
        return await PaymentNotify.get(channel=channel, notify_id=notify_id)


async def handle_notify(
    channel: str, gw: PaymentGateway, headers: Mapping[str, str], body: bytes
) -> NotifyOutcome:
    try:
        result: PayResult | None = await gw.verify_notify(dict(headers), body)
        error: Exception | None = None
    except Exception as exc:  # every refusal is recorded; the blueprint maps it to an answer
        result, error = None, exc
    row = await _record(channel, headers, body, result, error)
    if result is None:
        log.warning("%s notify refused: %s", channel, type(error).__name__)
        await PaymentNotify.filter(id=row.id).update(outcome="rejected", handled_at=clock.now())
        return NotifyOutcome("rejected", error)
    if row.outcome in SETTLED:  # an earlier delivery acted and committed: nothing to do
        return NotifyOutcome("duplicate")
    actor = PayActor("platform", channel)
    try:
        if result.raw.get("kind") == "refund":
            settled = await apply_refund_result(result, channel=channel, actor=actor)
        elif result.state == "refunded":  # Alipay's TRADE_CLOSED after a full refund
            settled = Settled("ignored")
        else:
            settled = await apply_result(result, channel=channel, actor=actor)
    except Exception as exc:
        log.exception("%s notify %s failed", channel, row.id)
        await PaymentNotify.filter(id=row.id).update(outcome="error", error=repr(exc)[:255])
        return NotifyOutcome("error", exc)
    # the first delivery that acts wins the row's outcome; later ones leave it alone
    if settled.outcome != "duplicate":
        await PaymentNotify.filter(id=row.id).update(outcome=settled.outcome,
                                                     handled_at=clock.now())
    elif row.outcome == "received":
        await PaymentNotify.filter(id=row.id, outcome="received").update(
            outcome="duplicate", handled_at=clock.now()
        )
    return NotifyOutcome(settled.outcome, refund_id=settled.refund_id)
