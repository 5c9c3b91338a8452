"""Per-worker resources: opened before the server starts, closed after it stops."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging

from sanic import Sanic

from app.db import close_db, init_db
from app.edges import Edges
from app.http import open_session
from app.kv import open_kv
from app.wiring import BACKGROUND_TASKS

log = logging.getLogger("zsb.lifecycle")


def tune_gc(young_threshold: int) -> None:
    """What is alive once the worker has started (modules, routes, models) lives as long as
    the process: frozen, the collector stops walking it. Young collections are spaced out."""
    gc.collect()
    gc.freeze()
    if young_threshold > 0:
        _, middle, old = gc.get_threshold()
        gc.set_threshold(young_threshold, middle, old)


def install_listeners(app: Sanic) -> None:
    @app.before_server_start
    async def open_resources(app: Sanic) -> None:
        s = app.ctx.settings
        await init_db(s)
        app.ctx.kv = open_kv(s.redis_url, s.kv_prefix)
        app.ctx.http = open_session(s.http_timeout)
        app.ctx.edges = Edges(s, app.ctx.http, app.ctx.kv)
        app.ctx.background = []

    @app.after_server_start
    async def start_background(app: Sanic) -> None:
        tune_gc(app.ctx.settings.gc_young_threshold)
        if not app.ctx.settings.background_tasks:
            return
        for target in BACKGROUND_TASKS:
            module, _, func = target.partition(":")
            job = getattr(importlib.import_module(module), func)
            app.ctx.background.append(asyncio.create_task(job(app), name=target))

    @app.before_server_stop
    async def stop_background(app: Sanic) -> None:
        for task in app.ctx.background:
            task.cancel()
        for task in app.ctx.background:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    @app.after_server_stop
    async def close_resources(app: Sanic) -> None:
        await app.ctx.http.close()
        await app.ctx.kv.close()
        await close_db()
