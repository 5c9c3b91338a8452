"""Periodic jobs that run in every worker but are done by one at a time (a kv lease).

The lease is taken with a token of this run and lasts ``0.9 × interval``; while the job runs a
heartbeat extends it, so a job slower than its interval is never started a second time
beside itself. At the end the lease is kept only for what is left of the interval since the
run began (so that the workers together still run the job once per interval) and handed back
at once when the run took longer than that.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("zsb.periodic")


async def under_lease(
    app: Any, *, lease: str, interval: float, job: Callable[[], Awaitable[object]], name: str
) -> None:
    """Every ``interval`` seconds the worker that takes ``lease`` runs ``job``; a failure is
    logged and the loop goes on."""
    kv = app.ctx.kv
    hold = interval * 0.9
    while True:
        try:
            await run_once(kv, lease=lease, hold=hold, job=job, name=name)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed", name)
        await asyncio.sleep(interval)


async def run_once(
    kv: Any, *, lease: str, hold: float, job: Callable[[], Awaitable[object]], name: str
) -> bool:
    """Run ``job`` if this worker takes ``lease``; True when it ran."""
    token = uuid.uuid4().hex
    if not await kv.set(lease, token, ex=hold, nx=True):
        return False
    started = time.monotonic()
    heartbeat = asyncio.create_task(_keep(kv, lease, token, hold, name))
    try:
        await job()
    finally:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heartbeat
        left = hold - (time.monotonic() - started)
        with contextlib.suppress(Exception):  # a lost store: the lease expires by itself
            if left > 0.05:
                await kv.expire_if(lease, token, left)
            else:
                await kv.delete_if(lease, token)
    return True


async def _keep(kv: Any, lease: str, token: str, hold: float, name: str) -> None:
    """Extend the lease every third of its length while the job runs."""
    while True:
        await asyncio.sleep(hold / 3)
        try:
            if not await kv.expire_if(lease, token, hold):
                log.warning("%s lost its lease while running", name)
                return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("%s could not extend its lease", name, exc_info=True)
