"""Inbound payment notifies: verify → record raw → act → answer, idempotently.

Each arrival is recorded with its verification result. A verified notify takes its
platform id (unique per channel), so redeliveries of one notify share one row and count
``deliveries``; an unverified one never takes an id (a forgery cannot squat a real one).

A payment notify's row is written inside the transaction that acts on it, after acting, so
the record and the state change commit together in one round of statements; should acting
fail, the transaction rolls back and the arrival is recorded on its own with ``error``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from app import clock, sql
from app.interfaces import NotifyKind, PaymentGateway, PayResult, PayState
from app.payments.events import PayActor
from app.payments.outcomes import SETTLED, UNHANDLED, Outcome
from app.payments.refunds import apply_refund_result
from app.payments.settle import Settled, apply_result
from models.payments import PaymentNotify

log = logging.getLogger(__name__)
KEPT_HEADERS = ("wechatpay-timestamp", "wechatpay-nonce", "wechatpay-serial",
                "wechatpay-signature-type", "content-type", "user-agent", "request-id")


@dataclass(frozen=True)
class NotifyOutcome:
    outcome: Outcome
    error: Exception | None = None
    refund_id: int | None = None  # an automatic refund to submit after the answer

    @property
    def handled(self) -> bool:
        """True when the platform may stop retrying."""
        return self.outcome not in UNHANDLED


def _kept(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() in KEPT_HEADERS}


# One statement records an arrival: the first of a verified notify inserts the row, later
# ones count ``deliveries`` and take the outcome only while the row has none that stands.
_STANDING = ", ".join(f"'{o.value}'" for o in sorted(SETTLED))
_RECORD = (
    "INSERT INTO payment_notify (channel, notify_id, out_trade_no, kind, headers, body, verified,"  # noqa: S608 - constant text
    " error, outcome, deliveries, received_at, handled_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11)"
    " ON CONFLICT (channel, notify_id) DO UPDATE SET deliveries = payment_notify.deliveries + 1,"
    f" outcome = CASE WHEN payment_notify.outcome IN ({_STANDING}) THEN payment_notify.outcome"
    " ELSE excluded.outcome END,"
    f" error = CASE WHEN payment_notify.outcome IN ({_STANDING}) THEN payment_notify.error"
    " ELSE excluded.error END,"
    " handled_at = COALESCE(payment_notify.handled_at, excluded.handled_at)"
    " RETURNING id, outcome, deliveries"
)
_OUTCOME = (
    "UPDATE payment_notify SET outcome = $1, handled_at = $2"  # noqa: S608 - constant text
    f" WHERE id = $3 AND outcome NOT IN ({_STANDING})"
)
_FAILED = (
    "UPDATE payment_notify SET outcome = 'error', error = $1"  # noqa: S608 - constant text
    f" WHERE id = $2 AND outcome NOT IN ({_STANDING})"
)


@dataclass
class NotifyArrival:
    """One notify as it arrived, and what the gateway made of it."""

    channel: str
    headers: Mapping[str, str]
    body: bytes
    result: PayResult | None
    error: Exception | None
    row_id: int | None = None  # once recorded on its own

    def statement(self, outcome: Outcome, error: Exception | None = None) -> sql.Statement:
        result, error = self.result, error or self.error
        notify_id = result.notify_id if result else None
        now = clock.now()
        return _RECORD, [
            self.channel, notify_id or None, result.out_trade_no[:64] if result else None,
            (result.kind or NotifyKind.payment).value if result else None,
            sql.dumps(_kept(self.headers)), self.body.decode("utf-8", "replace"),
            result is not None, (str(error) or type(error).__name__)[:255] if error else None,
            outcome.value, now, None if outcome in (Outcome.received, Outcome.error) else now,
        ]

    async def record(self, outcome: Outcome, error: Exception | None = None) -> dict[str, Any]:
        """Recorded on its own (autocommit); answers the row as it now stands."""
        text, values = self.statement(outcome, error)
        row = (await sql.rows(PaymentNotify._meta.db, text, *values))[0]
        self.row_id = int(row["id"])
        return row

    async def failed(self, error: Exception) -> None:
        text = (str(error) or type(error).__name__)[:255]
        if self.row_id is None:  # acting rolled back the record written with it
            await self.record(Outcome.error, error)
        else:
            await sql.execute(PaymentNotify._meta.db, _FAILED, text, self.row_id)


async def handle_notify(
    channel: str, gw: PaymentGateway, headers: Mapping[str, str], body: bytes
) -> NotifyOutcome:
    try:
        result: PayResult | None = await gw.verify_notify(dict(headers), body)
        error: Exception | None = None
    except Exception as exc:  # every refusal is recorded; the blueprint maps it to an answer
        result, error = None, exc
    arrival = NotifyArrival(channel, headers, body, result, error)
    if result is None:
        log.warning("%s notify refused: %s", channel, type(error).__name__)
        await arrival.record(Outcome.rejected)
        return NotifyOutcome(Outcome.rejected, error)
    actor = PayActor("platform", channel)
    try:
        if result.kind is NotifyKind.refund:
            settled = await _recorded_apart(
                arrival, lambda: apply_refund_result(result, channel=channel, actor=actor))
        elif result.state is PayState.refunded:  # Alipay's TRADE_CLOSED after a full refund
            settled = await _recorded_apart(arrival, _ignored)
        else:
            # the raw record is written in the acting transaction, after acting
            settled = await apply_result(result, channel=channel, actor=actor,
                                         record=lambda s: arrival.statement(s.outcome))
    except Exception as exc:
        log.exception("%s notify failed", channel)
        await arrival.failed(exc)
        return NotifyOutcome(Outcome.error, exc)
    return NotifyOutcome(settled.outcome, refund_id=settled.refund_id)


async def _ignored() -> Settled:
    return Settled(Outcome.ignored)


async def _recorded_apart(arrival: NotifyArrival,
                          act: Callable[[], Awaitable[Settled]]) -> Settled:
    """Refund notifies: record first; act only on an arrival no earlier one acted on."""
    row = await arrival.record(Outcome.received)
    if row["outcome"] in SETTLED:
        return Settled(Outcome.duplicate)
    settled = await act()
    async with in_transaction() as conn:
        await sql.execute(conn, _OUTCOME, settled.outcome.value, clock.now(), row["id"])
    return settled
