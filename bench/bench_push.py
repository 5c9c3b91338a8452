"""Push pipeline figures: deliveries per second through the dispatchers to the JPush
simulator, and the time from state change (outbox event) to platform acceptance.

    .venv/bin/python bench/bench_push.py [--count 20000] [--workers 2] [--rate 300]
                                         [--backend postgres|sqlite]

Phase 1 (throughput): ``--count`` outbox events land at once; ``--workers`` processes of
``python -m app worker`` expand and deliver them; figure = deliveries / wall time.
Phase 2 (latency): events arrive steadily at ``--rate`` per second for 5 s, below capacity;
figures = p50 / p99 of ``delivery.sent_at - outbox_event.created_at``.
Phase 3 (campaign): a campaign to ``--count`` persons, from "send" to the last delivery; its
identical messages go to JPush in audiences of up to 500 registration ids.
The JPush simulator runs in its own process. Every message is an app push (one device each).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import PYTHON, ROOT, Database, _env, free_port, run_command, summarize


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


async def _serve_sim(port: int) -> None:
    from sandbox import jpush
    from sandbox.runner import start

    await start(jpush.create_app(), port=port)
    await asyncio.Event().wait()


async def _people(count: int) -> list[int]:
    from models.identity import Person
    from models.push import Device

    first = await Person.create()
    await Person.bulk_create([Person() for _ in range(count - 1)], batch_size=2000)
    ids = list(range(first.id, first.id + count))
    await Device.bulk_create([Device(person_id=i, registration_id=f"bench{i}") for i in ids],
                             batch_size=2000)
    return ids


async def _emit(person_ids: list[int]) -> None:
    from app import outbox
    from models.core import OutboxEvent

    await OutboxEvent.bulk_create([OutboxEvent(
        event_type="case.accepted", aggregate="case", aggregate_id=str(p), person_id=p,
        payload={"case_no": f"BENCH{p}", "item_name": "压测事项"}) for p in person_ids],
        batch_size=2000)
    outbox.wake()  # as an API worker's emit does (push.wake publishes it to the dispatchers)


async def _sent() -> int:
    from models.push import Delivery

    return await Delivery.filter(state="sent").count()


async def _until_sent(count: int) -> None:
    done = asyncio.Event()
    while not done.is_set():
        if await _sent() >= count:
            done.set()
        else:
            await asyncio.sleep(0.05)


async def _latencies(since_id: int) -> list[float]:
    from models.core import OutboxEvent
    from models.push import Delivery, Notification

    created = dict(await OutboxEvent.filter(id__gt=since_id).values_list("id", "created_at"))
    notes = dict(await Notification.filter(event_id__in=list(created)).values_list("id",
                                                                                   "event_id"))
    rows = await Delivery.filter(notification_id__in=list(notes), state="sent").values_list(
        "notification_id", "sent_at")
    return [(sent - created[notes[n]]).total_seconds() for n, sent in rows]


async def main(args: argparse.Namespace) -> None:
    db = await Database(args.backend).open()
    sim_port = free_port()
    env = {**db.env, "ZSB_JPUSH_API_BASE": f"http://127.0.0.1:{sim_port}",
           "ZSB_JPUSH_APP_KEY": "7d431e42dfa6a6d693ac2d04",
           "ZSB_JPUSH_MASTER_SECRET": "5e987ac6d2e04d95a9d8f0d1", "ZSB_QUIET_HOURS": ""}
    procs: list[asyncio.subprocess.Process] = []
    try:
        await run_command(["-m", "app", "migrate"], env)
        procs.append(await asyncio.create_subprocess_exec(
            PYTHON, __file__, "--serve-sim", str(sim_port), cwd=ROOT, env=_env(env)))
        os.environ.update(_env(env))
        from app.db import close_db, init_db
        from app.settings import reset_settings_cache

        reset_settings_cache()
        await init_db()
        from app.kv import open_kv
        from app.settings import get_settings
        from push.wake import install_publisher

        settings = get_settings()
        install_publisher(open_kv(settings.redis_url, settings.kv_prefix))
        people = await _people(args.count + int(args.rate * 5) + 10)
        for _ in range(args.workers):
            procs.append(await asyncio.create_subprocess_exec(
                PYTHON, "-m", "app", "worker", "--concurrency", str(args.concurrency),
                "--batch", str(args.batch), cwd=ROOT, env=_env(env)))
        await asyncio.sleep(2.0)  # workers up and idle

        t0 = time.perf_counter()
        await _emit(people[: args.count])
        await _until_sent(args.count)
        took = time.perf_counter() - t0
        print(f"throughput: {args.count} deliveries in {took:.2f}s = "
              f"{args.count / took:,.0f} deliveries/s ({args.workers} worker processes, "
              f"{args.backend})")
        summarize(f"push deliveries/s, {args.workers} dispatchers", args.count / took,
                         base="B1", unit="deliv/s", target=0.8)

        from models.core import OutboxEvent

        last = (await OutboxEvent.all().order_by("-id").first()).id  # type: ignore[union-attr]
        rest = people[args.count:]
        tick = 0.1
        per_tick = max(1, int(args.rate * tick))
        for i in range(0, min(len(rest), int(args.rate * 5)), per_tick):
            await _emit(rest[i : i + per_tick])
            await asyncio.sleep(tick)
        await asyncio.sleep(2.0)
        lat = await _latencies(last)
        print(f"latency at {args.rate}/s: n={len(lat)} p50={_pct(lat, 0.5) * 1000:.0f} ms "
              f"p99={_pct(lat, 0.99) * 1000:.0f} ms max={max(lat) * 1000:.0f} ms")

        from app.staff import StaffPrincipal
        from models.push import Campaign, Delivery
        from push import campaigns

        admin = StaffPrincipal(id=0, roles=("admin",), department_id=0)
        campaign = await campaigns.create(
            admin, title="压测推送", body="医保缴费已开始", link=None, scheduled_at=None,
            audience={"kind": "persons", "person_ids": people[: args.count]}, rate_limits={})
        t0 = time.perf_counter()
        await campaigns.send(campaign, 0, approval_threshold=args.count)
        sent_before = await _sent()
        await _until_sent(sent_before + args.count)
        took = time.perf_counter() - t0
        state = (await Campaign.get(id=campaign.id)).state
        groups = len(set(await Delivery.filter(campaign_id=campaign.id).values_list(
            "platform_message_id", flat=True)))
        print(f"campaign: {args.count} deliveries in {took:.2f}s = {args.count / took:,.0f} "
              f"deliveries/s ({groups} JPush requests, campaign {state})")
        await close_db()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            await proc.wait()
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--backend", default="postgres", choices=["postgres", "sqlite"])
    parser.add_argument("--serve-sim", type=int)
    ns = parser.parse_args()
    if ns.serve_sim:
        asyncio.run(_serve_sim(ns.serve_sim))
    else:
        asyncio.run(main(ns))
