"""Idle dispatchers back off, and wake at once for an outbox write here or elsewhere."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from app import outbox
from app.kv import MemoryKV
from push import wake
from push.dispatcher import Dispatcher


class _Counting(Dispatcher):
    def __init__(self, kv: MemoryKV) -> None:
        super().__init__(lambda channel: None, kv, idle=0.02, max_idle=5.0)
        self.looks: list[float] = []

    def lanes(self) -> dict[str, Callable[[], Awaitable[int]]]:
        async def look() -> int:
            self.looks.append(asyncio.get_running_loop().time())
            return 0

        return {"outbox": look}


async def _after_backoff(dispatcher: _Counting) -> tuple[asyncio.Event, asyncio.Task[None]]:
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop))
    await asyncio.sleep(0.9)  # looks at 0, .02, .06, .14, .30, .62, then not before 1.26
    return stop, task


async def test_idle_lanes_back_off() -> None:
    dispatcher = _Counting(MemoryKV())
    stop, task = await _after_backoff(dispatcher)
    stop.set()
    await asyncio.wait_for(task, 2)
    assert 3 <= len(dispatcher.looks) <= 8  # not 45 looks in 0.9 s


async def test_a_wake_from_another_process_is_heard_at_once() -> None:
    kv = MemoryKV()
    dispatcher = _Counting(kv)
    stop, task = await _after_backoff(dispatcher)
    publisher = wake.install_publisher(kv)  # as an API worker elsewhere does
    try:
        outbox.remove_listener(dispatcher.kick)  # only the kv channel may wake it
        woken_at = asyncio.get_running_loop().time()
        outbox.wake()
        await asyncio.sleep(0.15)
        first = min(t for t in dispatcher.looks if t > woken_at)
        assert first - woken_at < 0.05  # not at the end of a backed-off pause
    finally:
        outbox.remove_listener(publisher)
        stop.set()
        await asyncio.wait_for(task, 2)
