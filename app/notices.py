"""How urgent each notice is, said once: the outbox event, the rendered message and the staff
alert all read this table.

Legal notices — 补正, 不予受理, 准予许可 and 不予许可 (the decisions), 缴费, 办结, a parcel the
courier could not deliver — are critical: they go first, ignore quiet hours and cannot be muted.
Progress updates are normal; campaigns are bulk.
"""

from __future__ import annotations

from enum import StrEnum


class Priority(StrEnum):
    critical = "critical"
    normal = "normal"
    bulk = "bulk"


# lower goes first (the delivery lanes and the order of a person's notifications)
RANKS: dict[Priority, int] = {Priority.critical: 0, Priority.normal: 1, Priority.bulk: 2}

# event type → priority; an event type not named here is normal
NOTICE_PRIORITY: dict[str, Priority] = {
    "case.supplement_requested": Priority.critical,
    "case.supplement_due_soon": Priority.critical,
    "case.refused": Priority.critical,
    "case.approved": Priority.critical,
    "case.denied": Priority.critical,
    "case.fee_due": Priority.critical,
    "case.completed": Priority.critical,
    "case.tolerance_due_soon": Priority.critical,  # 容缺: like a 补正 deadline
    "case.result_revoked": Priority.critical,  # a false 告知承诺
    "shipment.redelivery_offered": Priority.critical,
    "certificate.revoked": Priority.critical,  # a certificate the holder relies on is void
    # staff alerts that need someone today
    "case.supplement_overdue": Priority.critical,
    "case.clock_red": Priority.critical,
    "case.tolerance_overdue": Priority.critical,
    "pledge.check_overdue": Priority.critical,
    "shipment.exception": Priority.critical,
    "payment.refund_failed": Priority.critical,
    "rectification.clock_red": Priority.critical,  # a 差评 not put right in 15 working days
    "ticket.clock_red": Priority.critical,
    "ticket.escalated": Priority.critical,  # 督办
    "platform_job.dead": Priority.critical,  # the province or the hotline never got it
    "push.campaign": Priority.bulk,
}


def priority_of(event_type: str) -> Priority:
    return NOTICE_PRIORITY.get(event_type, Priority.normal)


def stricter(a: Priority | str, b: Priority | str | None) -> Priority:
    """The more urgent of two priorities (an unknown ``b`` is ignored)."""
    first = Priority(a)
    if b is None or b not in RANKS:
        return first
    second = Priority(b)
    return second if RANKS[second] < RANKS[first] else first
