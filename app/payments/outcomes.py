"""What became of a payment notify, a query or a settling call (``payment_notify.outcome``)."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    received = "received"  # recorded, not acted on yet
    applied = "applied"
    duplicate = "duplicate"
    rejected = "rejected"  # failed verification
    unknown_order = "unknown_order"
    amount_mismatch = "amount_mismatch"
    anomaly = "anomaly"  # paid when it should not have been: refunded automatically
    ignored = "ignored"
    closed = "closed"
    pending = "pending"  # a query found the order still unpaid
    error = "error"


# outcomes that stand: the arrival that wrote one acted and committed with it; later
# deliveries of the same notify only count themselves
SETTLED = frozenset({Outcome.applied, Outcome.duplicate, Outcome.anomaly, Outcome.closed,
                     Outcome.ignored})
# outcomes after which the platform should deliver the notify again
UNHANDLED = frozenset({Outcome.rejected, Outcome.unknown_order, Outcome.amount_mismatch,
                       Outcome.error})
