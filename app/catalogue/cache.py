"""Per-worker cache of the published catalogue, as ready-to-send JSON bytes.

The catalogue changes rarely and is read on every visit, so each worker keeps a ``Snapshot``
of every published guide already serialized, plus the search index. The snapshot belongs to a
*generation*: a random token in the key-value store that every publish, unpublish or edit
replaces. A worker checks the token at most once a second, in the background, so a cache hit
costs no database or Redis round trip; the worker where the change was made drops its snapshot
at once, the others within about a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from app.catalogue.snapshot import Snapshot, build_snapshot
from app.kv import KeyValue
from app.links import h5_base
from app.outages import outages

log = logging.getLogger("zsb.catalogue")

GENERATION_KEY = "catalogue:generation"
Loader = Callable[[str], Awaitable[Snapshot]]


class CatalogueCache:
    def __init__(
        self,
        kv: Callable[[], KeyValue | None],
        *,
        base_url: str = "",
        check_every: float = 1.0,
        max_age: float = 60.0,
        loader: Loader | None = None,
    ) -> None:
        self._kv = kv
        self.base_url = base_url.rstrip("/")
        self._check_every = check_every
        # safety net: a generation change lost while the store was down is caught up this late
        self._max_age = max_age
        self._built = 0.0
        self._loader: Loader = loader or (lambda gen: build_snapshot(gen, self.base_url))
        self._snap: Snapshot | None = None
        self._checked = 0.0
        # bumped by every local invalidation; a build that straddles one is not kept
        self._epoch = 0
        self._lock = asyncio.Lock()
        self._check_task: asyncio.Task[None] | None = None

    async def snapshot(self) -> Snapshot:
        snap = self._snap
        if snap is not None:
            now = time.monotonic()
            if now - self._checked >= self._check_every and self._check_task is None:
                self._checked = now
                self._check_task = asyncio.create_task(self._check(snap))
            return snap
        async with self._lock:
            if self._snap is not None:
                return self._snap
            epoch = self._epoch
            # read the generation *before* the data: a change in between only costs a rebuild
            snap = await self._loader(await self._generation())
            if epoch == self._epoch and self._kv() is not None:
                self._snap = snap
                self._checked = self._built = time.monotonic()
            return snap

    def invalidate(self) -> None:
        """Forget the snapshot in this worker (the next read rebuilds it)."""
        self._snap = None
        self._epoch += 1

    async def bump(self) -> None:
        """A publish, unpublish or edit was committed: new generation everywhere."""
        self.invalidate()
        kv = self._kv()
        if kv is None:
            return
        try:
            await kv.set(GENERATION_KEY, uuid.uuid4().hex)
        except Exception as exc:  # the change is committed; others catch up within max_age
            outages.report("kv", exc)

    async def close(self) -> None:
        if self._check_task is not None:
            self._check_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._check_task

    async def _generation(self) -> str:
        kv = self._kv()
        if kv is None:
            return "local"
        try:
            return await kv.get(GENERATION_KEY) or "0"
        except Exception as exc:  # the store is down: serve what we have, check again later
            outages.report("kv", exc)
            return "unknown"

    async def _check(self, snap: Snapshot) -> None:
        try:
            generation = await self._generation()
            aged = time.monotonic() - self._built > self._max_age
            if self._snap is not snap or (generation in (snap.generation, "unknown") and not aged):
                return
            epoch = self._epoch
            fresh = await self._loader(generation)
            # swap only if nothing was invalidated meanwhile; readers kept the old one till now
            if epoch == self._epoch and self._snap is snap:
                self._snap = fresh
                self._built = time.monotonic()
                log.info("catalogue reloaded", extra={"generation": generation})
        except Exception:
            log.exception("catalogue refresh failed")
        finally:
            self._check_task = None


_current: CatalogueCache | None = None


def open_cache(kv: Callable[[], KeyValue | None], base_url: str) -> CatalogueCache:
    """A worker's cache (``app.ctx.catalogue``, opened in ``app/context.py``), also what
    ``current`` answers to callers that have no app at hand (the WeChat keyword answers)."""
    global _current
    cache = _current = CatalogueCache(kv, base_url=base_url)
    return cache


def current() -> CatalogueCache:
    """This worker's cache; outside a server (commands, service tests) an uncached one."""
    if _current is not None:
        return _current
    from app.settings import get_settings

    return CatalogueCache(lambda: None, base_url=h5_base(get_settings()))
