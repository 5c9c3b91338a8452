"""The dispatcher: independent lanes that expand the outbox and campaigns and deliver work.

Each priority has its own delivery lane, so a bulk campaign of any size never holds up a
补正 notice: the critical lane claims only critical rows and never waits for a bulk batch.
Any number of dispatchers may run, in any number of processes and hosts — the claims skip
rows another has locked or leased.

An idle lane backs off from ``idle`` to ``max_idle`` between looks, so an idle worker does not
query the database a hundred times a second; writing to the outbox in this process wakes
every lane at once (``app.outbox.wake``), and other processes' writes are found within
``max_idle``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from collections.abc import Awaitable, Callable

from app import outbox
from app.kv import KeyValue
from models.push import Campaign
from push import campaigns, wake
from push.delivery import NotifierLookup, Policy, claim, rate_limited, record, send_all
from push.enqueue import Live
from push.expand import expand_outbox

log = logging.getLogger("zsb.push")


def live_channel(person_id: int) -> str:
    return f"push:live:{person_id}"


async def publish(kv: KeyValue, live: list[Live]) -> None:
    """Tell open streams; best effort (the inbox already holds the message)."""
    for i in range(0, len(live), 50):
        results = await asyncio.gather(*(
            kv.publish(live_channel(item.person_id), json.dumps(item.message, ensure_ascii=False))
            for item in live[i : i + 50]), return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                log.warning("live publish failed: %r", result)


class Dispatcher:
    def __init__(
        self, notifier_for: NotifierLookup, kv: KeyValue, *, quiet_hours: str = "22:00-08:00",
        policy: Policy | None = None, batch: int = 200, concurrency: int = 200,
        idle: float = 0.05, max_idle: float = 1.0, worker: str | None = None,
    ) -> None:
        self.notifier_for = notifier_for
        self.kv = kv
        self.quiet_hours = quiet_hours
        self.policy = policy or Policy()
        self.batch = batch
        self.concurrency = concurrency
        self.idle = idle
        self.max_idle = max(idle, max_idle)
        self._wake: dict[str, asyncio.Event] = {}
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{id(self) % 10000}"

    async def expand_once(self) -> int:
        count, live = await expand_outbox(self.batch, quiet_hours=self.quiet_hours,
                                          worker=self.worker)
        await publish(self.kv, live)
        if count:
            self.kick()  # the delivery lanes have new rows
        return count

    async def campaigns_once(self) -> int:
        count, live = await campaigns.expand_next(quiet_hours=self.quiet_hours)
        await publish(self.kv, live)
        if count:
            self.kick()
        return count

    def kick(self) -> None:
        """Wake every idle lane to look now."""
        for event in self._wake.values():
            event.set()

    async def deliver_once(self, rank: int) -> int:
        token, batch = await claim(rank, self.batch, worker=self.worker, policy=self.policy)
        if not batch:
            return 0
        ids = {c.row["campaign_id"] for c in batch if c.row["campaign_id"]}
        limits = dict(await Campaign.filter(id__in=ids).values_list("id", "rate_limits")
                      ) if ids else {}
        for c in batch:
            if c.row["campaign_id"] in limits:
                c.deferred_until = await rate_limited(self.kv, c, limits[c.row["campaign_id"]])
        await send_all(batch, self.notifier_for, self.concurrency)
        await record(token, batch, self.policy, quiet_hours=self.quiet_hours)
        return len(batch)

    def lanes(self) -> dict[str, Callable[[], Awaitable[int]]]:
        return {
            "outbox": self.expand_once,
            "campaigns": self.campaigns_once,
            "critical": lambda: self.deliver_once(0),
            "normal": lambda: self.deliver_once(1),
            "bulk": lambda: self.deliver_once(2),
        }

    async def run(self, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        lanes = self.lanes()
        self._wake = {name: asyncio.Event() for name in lanes}
        log.info("dispatcher %s started", self.worker)
        outbox.add_listener(self.kick)
        loop = asyncio.get_running_loop()
        helpers = [loop.create_task(self._kick_on(stop)), loop.create_task(self._listen())]
        try:
            await asyncio.gather(*(self._lane(name, fn, stop) for name, fn in lanes.items()))
        finally:
            outbox.remove_listener(self.kick)
            for task in helpers:
                task.cancel()

    async def _listen(self) -> None:
        """Wake-ups from other processes (``push.wake``)."""
        while True:
            try:
                async for _ in self.kv.subscribe(wake.CHANNEL):
                    self.kick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("push wake-up channel lost (%r); listening again", exc)
            await asyncio.sleep(1.0)  # however the subscription ended: no busy loop

    async def _kick_on(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self.kick()

    async def _lane(self, name: str, fn: Callable[[], Awaitable[int]], stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        woken = self._wake[name]
        pause = self.idle
        while not stop.is_set():
            woken.clear()  # a wake-up from here on means: look again
            try:
                done = await fn()
            except Exception:
                log.exception("dispatcher lane %s failed; retrying", name)
                done = 0
                await asyncio.sleep(1.0)
            if done:
                pause = self.idle
                continue
            looked = loop.time()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), pause)
            if woken.is_set():
                # soon (the writer's transaction commits meanwhile), but never more often
                # than every ``idle`` when the looks find nothing
                await asyncio.sleep(max(wake.SETTLE, looked + self.idle - loop.time()))
                pause = self.idle
            else:
                pause = min(pause * 2, self.max_idle)

    async def drain(self, rounds: int = 1000) -> int:
        """Run every lane until none has due work (tests and one-shot runs)."""
        total = 0
        for _ in range(rounds):
            done = 0
            for fn in self.lanes().values():
                done += await fn()
            total += done
            if not done:
                break
        return total
