"""Waking dispatchers in other processes and on other hosts.

An outbox write wakes this process's dispatcher directly (``app.outbox.wake``); a
``WakePublisher`` also says so on the kv channel ``push:wake``, at most once per
``SETTLE`` seconds and after that delay (the writer's transaction commits meanwhile), and
every dispatcher listens there. Without it a dispatcher in a ``python -m app worker`` process
would find an API worker's 补正 notice only at its next idle look.
"""

from __future__ import annotations

import asyncio
import logging

from app import outbox
from app.kv import KeyValue

log = logging.getLogger("zsb.push")

CHANNEL = "push:wake"
SETTLE = 0.005


class WakePublisher:
    def __init__(self, kv: KeyValue) -> None:
        self.kv = kv
        self._due = False
        self._sending: set[asyncio.Task[None]] = set()

    def __call__(self) -> None:
        if self._due:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # an emit outside the event loop (a one-off script): nobody to tell
        self._due = True
        loop.call_later(SETTLE, self._send)

    def _send(self) -> None:
        self._due = False
        task = asyncio.get_running_loop().create_task(self._publish())
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _publish(self) -> None:
        try:
            await self.kv.publish(CHANNEL, "1")
        except Exception as exc:  # the dispatchers still look on their own, only later
            log.warning("push wake-up not published: %r", exc)


def install_publisher(kv: KeyValue) -> WakePublisher:
    publisher = WakePublisher(kv)
    outbox.add_listener(publisher)
    return publisher
