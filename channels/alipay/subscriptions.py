"""Subscription-message consents: recorded from the mini-program, spent by the notifier."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from app import clock
from models.alipay import AlipaySubscription, SubscriptionKind

MAX_ONE_TIME = 50  # unspent one-time acceptances kept per template; more taps add nothing


@dataclass(frozen=True)
class Taken:
    """A consent held for one send; ``spent`` when it used up a one-time acceptance."""

    subscription_id: int
    spent: bool


async def record(
    subject: str,
    person_id: int | None,
    accepted: list[str],
    rejected: list[str],
    kind: SubscriptionKind,
) -> list[AlipaySubscription]:
    now = clock.now()
    for template_id in dict.fromkeys(accepted):
        add = 1 if kind == SubscriptionKind.ONE_TIME else 0
        try:
            await AlipaySubscription.create(
                subject=subject, person_id=person_id, template_id=template_id, kind=kind,
                active=True, remaining=add, accepted_at=now,
            )
        except IntegrityError:  # already known: one more acceptance of the same template
            await AlipaySubscription.filter(subject=subject, template_id=template_id).update(
                kind=kind, active=True, person_id=person_id, accepted_at=now
            )
            if add:
                await AlipaySubscription.filter(
                    subject=subject, template_id=template_id, remaining__lt=MAX_ONE_TIME
                ).update(remaining=F("remaining") + 1)
    # Declining a long-term template withdraws it; unspent one-time acceptances stand.
    await AlipaySubscription.filter(
        subject=subject, template_id__in=[t for t in rejected if t not in accepted],
        kind=SubscriptionKind.LONG_TERM,
    ).update(active=False)
    return await AlipaySubscription.filter(subject=subject).order_by("template_id")


async def take(subject: str, template_id: str) -> Taken | None:
    row = await AlipaySubscription.get_or_none(
        subject=subject, template_id=template_id, active=True
    )
    if row is None:
        return None
    if row.kind == SubscriptionKind.LONG_TERM:
        await AlipaySubscription.filter(id=row.id).update(sent_count=F("sent_count") + 1)
        return Taken(row.id, spent=False)
    # conditional decrement: of two concurrent senders only one gets the last acceptance
    updated = await AlipaySubscription.filter(id=row.id, active=True, remaining__gt=0).update(
        remaining=F("remaining") - 1, sent_count=F("sent_count") + 1, spent_at=clock.now()
    )
    return Taken(row.id, spent=True) if updated else None


async def give_back(taken: Taken) -> None:
    """Undo ``take`` after a send that did not reach the user (retryable failure)."""
    if taken.spent:
        await AlipaySubscription.filter(id=taken.subscription_id).update(
            remaining=F("remaining") + 1, sent_count=F("sent_count") - 1
        )
    else:
        await AlipaySubscription.filter(id=taken.subscription_id).update(
            sent_count=F("sent_count") - 1
        )


async def withdraw(subject: str, template_id: str) -> None:
    """Alipay says the user holds no subscription: stop believing we have one."""
    await AlipaySubscription.filter(subject=subject, template_id=template_id).update(
        active=False, remaining=0
    )
