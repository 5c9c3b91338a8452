"""The worker's listeners: open its resources before the server starts (``AppContext.open``),
start its background loops, and stop and close them all in reverse order."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging

from app.context import App
from app.wiring import BACKGROUND_TASKS

log = logging.getLogger("zsb.listeners")


def tune_gc(young_threshold: int) -> None:
    """What is alive once the worker has started (modules, routes, models) lives as long as
    the process: frozen, the collector stops walking it. Young collections are spaced out."""
    gc.collect()
    gc.freeze()
    if young_threshold > 0:
        _, middle, old = gc.get_threshold()
        gc.set_threshold(young_threshold, middle, old)


def install_listeners(app: App) -> None:
    @app.before_server_start
    async def open_resources(app: App) -> None:
        await app.ctx.open()

    @app.after_server_start
    async def start_background(app: App) -> None:
        tune_gc(app.ctx.settings.gc_young_threshold)
        if app.ctx.settings.background_tasks:
            for target in BACKGROUND_TASKS:
                module, _, func = target.partition(":")
                job = getattr(importlib.import_module(module), func)
                app.ctx.background.append(asyncio.create_task(job(app), name=target))
        # the first visitor should not pay for building the catalogue; a failure here only
        # delays the build to the first request
        try:
            await app.ctx.catalogue.snapshot()
        except Exception:
            log.warning("catalogue warm-up failed", exc_info=True)

    @app.before_server_stop
    async def stop_background(app: App) -> None:
        for task in app.ctx.background:
            task.cancel()
        for task in app.ctx.background:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    @app.after_server_stop
    async def close_resources(app: App) -> None:
        await app.ctx.close()
