"""Where dispatchers run.

- In every Sanic worker under the process manager (``make run``): ``run`` is listed in
  ``app/wiring.py: BACKGROUND_TASKS`` and starts one dispatcher per worker when
  ``ZSB_DISPATCHER_ENABLED`` is true. A background task rather than a separate managed
  process keeps the one aiohttp session, kv and edges per process, and the claims
  (``SKIP LOCKED`` and leases) make any number of workers safe.
- Alone on other hosts: ``python -m app worker [--concurrency N]`` (API servers there may set
  ``ZSB_DISPATCHER_ENABLED=false``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from typing import Any

from app import outbox
from app.context import App, AppContext
from app.edges import Edges
from app.interfaces import Notifier
from push.delivery import NotifierLookup
from push.dispatcher import Dispatcher
from push.wake import install_publisher

log = logging.getLogger("zsb.push")


def notifier_lookup(edges: Edges) -> NotifierLookup:
    """Channel name → its notifier edge, or None when the channel is not built in."""
    cache: dict[str, Notifier | None] = {}

    def lookup(channel: str) -> Notifier | None:
        if channel not in cache:
            try:
                cache[channel] = edges.notifier(channel)
            except KeyError:
                log.warning("no notifier for channel %s", channel)
                cache[channel] = None
        return cache[channel]

    return lookup


def dispatcher_for(app_ctx: AppContext, **kw: Any) -> Dispatcher:
    return Dispatcher(notifier_lookup(app_ctx.edges), app_ctx.kv,
                      quiet_hours=app_ctx.settings.quiet_hours, **kw)


async def run(app: App) -> None:
    """Background task of each Sanic worker: its outbox writes wake dispatchers anywhere, and
    it runs one itself unless ``ZSB_DISPATCHER_ENABLED`` is false."""
    publisher = install_publisher(app.ctx.kv)
    try:
        if app.ctx.settings.dispatcher_enabled:
            await dispatcher_for(app.ctx).run()
        else:
            await asyncio.Event().wait()  # keep the publisher until the worker stops
    finally:
        outbox.remove_listener(publisher)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app worker",
                                     description="run push dispatchers without an API server")
    parser.add_argument("--concurrency", type=int, default=200, help="sends in flight per lane")
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.concurrency, args.batch))
    return 0


async def _serve(concurrency: int, batch: int) -> None:
    from app import logs
    from app.context import opened
    from app.settings import get_settings

    settings = get_settings()
    logs.configure(settings.log_level)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with opened(settings) as ctx:
        await dispatcher_for(ctx, concurrency=concurrency, batch=batch).run(stop)
