"""A watchdog of the event loop: how late a short sleep wakes up is how long something held the
loop (a blocking call, CPU work that belongs in a thread). Off by default; with
``ZSB_LOOP_LAG_REPORT_SECONDS`` > 0 every worker logs, once a period, the median, 99th
percentile and largest lag it saw (the certificates benchmark reads these lines)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger("zsb.loop_lag")
TICK = 0.01  # seconds between samples


async def run(app: Any) -> None:
    period = float(app.ctx.settings.loop_lag_report_seconds)
    if period <= 0:
        return
    loop = asyncio.get_running_loop()
    samples: list[float] = []
    started = loop.time()
    while True:
        before = loop.time()
        await asyncio.sleep(TICK)
        samples.append(max(0.0, loop.time() - before - TICK))
        if loop.time() - started >= period:
            ordered = sorted(samples)
            log.warning(
                "event loop lag p50=%.2fms p99=%.2fms max=%.2fms n=%d",
                ordered[len(ordered) // 2] * 1000, ordered[int(len(ordered) * 0.99)] * 1000,
                ordered[-1] * 1000, len(ordered),
            )
            samples, started = [], loop.time()
