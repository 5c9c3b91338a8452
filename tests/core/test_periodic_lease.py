"""A periodic job keeps its lease while it runs: with several workers ticking, a job slower
than its interval runs once at a time, and once per interval when it is quick."""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace
from typing import Any

from app.periodic import under_lease


async def _workers(kv: Any, lease: str, interval: float, job: Any, seconds: float) -> None:
    app = SimpleNamespace(ctx=SimpleNamespace(kv=kv))
    tasks = [asyncio.create_task(under_lease(app, lease=lease, interval=interval, job=job,
                                             name="test job")) for _ in range(3)]
    await asyncio.sleep(seconds)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_job_slower_than_its_interval_runs_once(kv: Any) -> None:
    lease = f"test-lease:{uuid.uuid4().hex}"
    running, starts, most = 0, 0, 0
    held: list[bool] = []

    async def slow() -> None:
        nonlocal running, starts, most
        running, starts = running + 1, starts + 1
        most = max(most, running)
        for _ in range(4):  # ten intervals, beyond the lease's 0.18 s many times over
            await asyncio.sleep(0.5)
            held.append(await kv.get(lease) is not None)
        running -= 1

    await _workers(kv, lease, 0.2, slow, 1.8)
    assert starts == 1 and most == 1
    assert held == [True, True, True]  # cancelled in its fourth step
    assert await kv.get(lease) is None  # the run took longer than the interval: handed back


async def test_a_quick_job_runs_once_per_interval_across_workers(kv: Any) -> None:
    lease = f"test-lease:{uuid.uuid4().hex}"
    starts = 0

    async def quick() -> None:
        nonlocal starts
        starts += 1

    await _workers(kv, lease, 0.5, quick, 2.2)
    assert 3 <= starts <= 6, starts  # about 2.2 / 0.5, never once per worker and tick
