"""Periodic jobs that run in every worker but are done by one at a time (a kv lease)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("zsb.periodic")


async def under_lease(
    app: Any, *, lease: str, interval: float, job: Callable[[], Awaitable[object]], name: str
) -> None:
    """Every ``interval`` seconds the worker that takes ``lease`` (held for 0.9 of it) runs
    ``job``; a failure is logged and the loop goes on."""
    kv = app.ctx.kv
    while True:
        try:
            if await kv.set(lease, "1", ex=interval * 0.9, nx=True):
                await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed", name)
        await asyncio.sleep(interval)
