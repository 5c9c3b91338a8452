"""What one worker holds, typed: ``app.ctx`` of the Sanic app, and the same object for the
command-line tools.

Every per-worker resource — database, key-value store, outbound HTTP session, platform edges,
the catalogue cache, WeChat's callback crypto and recorder — is opened in ``AppContext.open``
and closed in ``AppContext.close``, and nowhere else. The Sanic listeners call them
(``app/listeners.py``); a tool runs inside ``async with opened() as ctx:``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import TYPE_CHECKING, TypeAlias

import aiohttp
from sanic import Request, Sanic
from sanic.config import Config

from app.catalogue.cache import CatalogueCache, open_cache
from app.db import close_db, init_db
from app.edges import Edges
from app.http import open_session
from app.kv import KeyValue, open_kv
from app.links import h5_base
from app.settings import Settings, get_settings

if TYPE_CHECKING:
    from channels.wechat.callbacks import CallbackState


class AppContext:
    """The worker's resources. Attributes other than ``settings`` exist once ``open`` ran."""

    settings: Settings
    kv: KeyValue
    http: aiohttp.ClientSession
    edges: Edges
    catalogue: CatalogueCache
    wechat: CallbackState
    background: list[asyncio.Task[None]]  # the worker's own loops (``wiring.BACKGROUND_TASKS``)

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.background = []
        self._database = False

    async def open(self, *, database: bool = True) -> None:
        """``database=False`` for a tool that speaks only to a platform (the WeChat menu)."""
        s = self.settings
        if database:
            await init_db(s)
            self._database = True
        self.kv = open_kv(s.redis_url, s.kv_prefix, timeout=s.redis_socket_timeout)
        self.http = open_session(s.http_timeout)
        self.edges = Edges(s, self.http, self.kv)
        self.catalogue = open_cache(lambda: self.kv, h5_base(s))  # item links are H5 pages
        self.wechat = self.edges.wechat_callbacks()

    async def close(self) -> None:
        await self.catalogue.close()
        await self.http.close()
        await self.kv.close()
        if self._database:
            await close_db()
            self._database = False

    @property
    def catalogue_cache_control(self) -> str:
        """The ``Cache-Control`` of catalogue answers."""
        return f"public, max-age={int(self.settings.catalogue_cache_seconds)}"


App: TypeAlias = Sanic[Config, AppContext]
AppRequest: TypeAlias = Request[App, SimpleNamespace]
"""What handlers take: ``request.app.ctx`` is an ``AppContext``."""


@contextlib.asynccontextmanager
async def opened(
    settings: Settings | None = None, *, database: bool = True
) -> AsyncIterator[AppContext]:
    """The resources of a command-line tool, closed however it ends."""
    ctx = AppContext(settings or get_settings())
    await ctx.open(database=database)
    try:
        yield ctx
    finally:
        await ctx.close()
