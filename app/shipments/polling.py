"""Catch up on shipments without news: query the provider, re-subscribe after ``abort``.

Runs as a background task in every worker; a lease in kv lets one of them do each round.
Every step is idempotent (``apply_update``), so a round that runs twice does no harm.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from tortoise.expressions import Q

from app import clock
from app.cases.transitions import Actor
from app.interfaces import ProviderError, Tracker
from app.periodic import run_once
from app.security import pii
from app.settings import Settings
from app.shipments.subscribe import subscribe
from app.shipments.tracking import apply_update
from models.express import FINAL, Shipment, SubscriptionState

if TYPE_CHECKING:
    from app.context import App

log = logging.getLogger("zsb.shipments.poll")

LEASE = "lease:express-poll"
BATCH = 200


async def poll_once(tracker: Tracker, settings: Settings, *, stale_after: timedelta) -> int:
    """Query every unfinished shipment not heard of for ``stale_after``; answer how many."""
    cutoff = clock.now() - stale_after
    finished = [str(s) for s in FINAL]
    # a subscription that failed at booking time is retried every round, one that kuaidi100
    # aborted ("3天查询无记录") after ``express_resubscribe_minutes``
    resubscribe_before = clock.now() - timedelta(minutes=settings.express_resubscribe_minutes)
    to_subscribe = Shipment.filter(
        Q(subscription=SubscriptionState.pending)
        | Q(subscription=SubscriptionState.aborted, checked_at__lte=resubscribe_before)
    ).exclude(state__in=finished)
    for shipment in await to_subscribe.limit(BATCH):
        await subscribe(tracker, shipment)
    due = (
        await Shipment.filter(checked_at__lte=cutoff)
        .exclude(state__in=finished)
        .order_by("checked_at")
        .limit(BATCH)
    )
    actor = Actor("system", "express-poll")
    done = 0
    for shipment in due:
        try:
            done += await _poll_one(tracker, shipment, actor)
        except Exception:  # one waybill must not stop the round, nor every round after it
            log.exception("tracking poll failed", extra={"shipment_id": shipment.id})
            await Shipment.filter(id=shipment.id).update(checked_at=clock.now())
    return done


async def _poll_one(tracker: Tracker, shipment: Shipment, actor: Actor) -> int:
    try:
        phone = pii.decrypt(shipment.receiver_phone)
        update = await tracker.query(shipment.carrier, shipment.waybill_no, phone)
    except ProviderError as exc:
        log.warning("tracking query failed", extra={"shipment_id": shipment.id, "code": exc.code})
        return 0
    if not update.events:
        await Shipment.filter(id=shipment.id).update(checked_at=clock.now())
        return 0
    # the answer is about the waybill we asked for, whatever company code it echoes
    update = replace(update, carrier=shipment.carrier, waybill_no=shipment.waybill_no)
    await apply_update(update, actor=actor, source="query")
    return 1


async def poll_round(app: App, holder: str) -> bool:
    """One round if this worker wins the lease; answer whether it ran."""
    settings: Settings = app.ctx.settings
    lease_seconds = max(1.0, settings.express_poll_interval_seconds * 0.9)
    stale = timedelta(minutes=settings.express_poll_stale_minutes)

    async def round_() -> None:
        count = await poll_once(app.ctx.edges.tracker("kuaidi100"), settings, stale_after=stale)
        log.info("express poll round", extra={"updated": count})

    return await run_once(app.ctx.kv, lease=LEASE, hold=lease_seconds, job=round_,
                          name="express poll")


async def run(app: App) -> None:
    """Background task: every ``express_poll_interval_seconds``, one worker polls."""
    holder = uuid.uuid4().hex
    while True:
        await asyncio.sleep(app.ctx.settings.express_poll_interval_seconds)
        try:
            await poll_round(app, holder)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("express poll round failed")


def main(argv: list[str]) -> int:
    """``python -m app express-poll [--stale-minutes N]``: one polling round, e.g. from cron."""
    import argparse

    from app.context import opened

    parser = argparse.ArgumentParser(prog="python -m app express-poll")
    parser.add_argument("--stale-minutes", type=int, default=None)
    args = parser.parse_args(argv)

    async def once() -> int:
        async with opened() as ctx:
            minutes = args.stale_minutes
            stale = timedelta(
                minutes=ctx.settings.express_poll_stale_minutes if minutes is None else minutes
            )
            return await poll_once(ctx.edges.tracker("kuaidi100"), ctx.settings, stale_after=stale)

    print(f"shipments updated: {asyncio.run(once())}")
    return 0
