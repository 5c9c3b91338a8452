"""A dispatcher dying mid-batch, and critical notices behind a 100,000-message campaign."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tortoise import connections

from app import clock
from models.push import Campaign, Delivery, Notification
from push import campaigns
from sandbox.jpush import Fault
from tests.push.conftest import emit_event, new_person, notification_for, wait_until

BATCH = 40
BULK = 100_000


async def test_killed_dispatcher_restarts_and_every_message_shows_once(
    make_dispatcher: Any, jpush: Any
) -> None:
    people = [await new_person(devices=1) for _ in range(BATCH)]
    events = [await emit_event("case.accepted", pid) for pid, _, _ in people]
    while await make_dispatcher(worker="expander").expand_once():
        pass
    jpush.fault = Fault("slow", delay=0.5)
    before = jpush.requests
    # one delivery round: claim (committed), then sends; it dies while they are in flight,
    # outside any database transaction, like a process killed mid-send
    doomed = asyncio.create_task(make_dispatcher(worker="doomed").deliver_once(1))

    async def all_in_flight() -> bool:
        return jpush.requests - before >= BATCH

    await wait_until(all_in_flight)
    doomed.cancel()  # dies mid-send: the platform got the pushes, we recorded nothing
    await asyncio.gather(doomed, return_exceptions=True)
    jpush.fault = Fault()
    notes = [await notification_for(e) for e in events]
    stuck = await Delivery.filter(notification_id__in=[n.id for n in notes]).values_list(
        "state", flat=True)
    assert set(stuck) == {"sending"}

    survivor = make_dispatcher(worker="survivor")

    async def all_delivered() -> bool:
        await survivor.drain()
        states = await Notification.filter(id__in=[n.id for n in notes]).values_list(
            "state", flat=True)
        return set(states) == {"delivered"}

    await wait_until(all_delivered, timeout=15)
    rows = await Delivery.filter(notification_id__in=[n.id for n in notes])
    assert len(rows) == BATCH  # one delivery per notification and channel
    assert all(d.state == "sent" and d.attempts == 2 and d.claimed_by.startswith("survivor")
               for d in rows)
    for n, (_, regs, _) in zip(notes, people, strict=True):
        key = (regs[0], f"zsb-{n.id}-app_push")
        assert key in jpush.shown  # the phone shows it once …
        assert jpush.received[key] == 2  # … though it arrived twice


NOTES_SQL = (
    "INSERT INTO push_notification (dedupe_key, person_id, event_type, priority, title, body, "
    "data, route, state, campaign_id, created_at) WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL "
    "SELECT n + 1 FROM seq WHERE n < {count}) SELECT 'cmp:{cid}:' || n, 1000000000 + n, "
    "'push.campaign', 'bulk', '政策宣传', '测试内容', '{{}}', '[]', 'pending', {cid}, {p} FROM seq"
)
DELIVERIES_SQL = (
    "INSERT INTO push_delivery (notification_id, channel, step, recipient, state, rank, "
    "campaign_id, attempts, next_attempt_at, created_at) SELECT id, 'app_push', 0, "
    "'bulk' || person_id, 'queued', 2, campaign_id, 0, {p}, created_at "
    "FROM push_notification WHERE campaign_id = {cid}"
)


async def _queue_bulk(campaign_id: int, count: int) -> None:
    """Queue ``count`` bulk app pushes in two statements (both backends): seconds, not minutes.
    Only integers of ours are formatted into the SQL."""
    conn = connections.get("default")
    p = "$1" if conn.capabilities.dialect == "postgres" else "?"
    values = {"cid": int(campaign_id), "count": int(count), "p": p}
    await conn.execute_query(NOTES_SQL.format(**values), [clock.now()])
    await conn.execute_query(DELIVERIES_SQL.format(**values), [clock.now()])


async def test_critical_notice_overtakes_a_100k_campaign(make_dispatcher: Any, jpush: Any
                                                        ) -> None:
    campaign = await Campaign.create(title="政策宣传", body="测试内容", created_by=0,
                                     audience={"kind": "persons"}, state="delivering",
                                     total=BULK)
    started = time.perf_counter()
    await _queue_bulk(campaign.id, BULK)
    print(f"\nqueued {BULK} bulk deliveries in {time.perf_counter() - started:.1f}s")
    person, _regs, _ = await new_person(devices=1)
    stop = asyncio.Event()
    runner = asyncio.create_task(make_dispatcher(worker="bulk-test").run(stop))
    try:
        await asyncio.sleep(0.3)  # the bulk lane is busy
        event = await emit_event("case.supplement_requested", person, "critical")
        t0 = time.perf_counter()

        async def delivered() -> bool:
            n = await Notification.get_or_none(event_id=event)
            return bool(n and n.state == "delivered")

        await wait_until(delivered, timeout=30)
        latency = time.perf_counter() - t0
        bulk_done = await Delivery.filter(campaign_id=campaign.id, state="sent").count()
        print(f"critical notice delivered {latency * 1000:.0f} ms after the state change, "
              f"with {BULK - bulk_done} bulk messages still queued")
        assert latency < 10  # generous: a slow machine must not fail this
        assert bulk_done < BULK
    finally:
        stop.set()
        await runner
        await campaigns.cancel(await Campaign.get(id=campaign.id), staff_id=0)
    assert not await Delivery.filter(campaign_id=campaign.id, next_attempt_at__not_isnull=True
                                     ).exists()
