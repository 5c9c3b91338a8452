"""The per-worker cache: hits never touch the loader or the store; a change made in one worker
is seen at once there and within the check interval in the others."""

from __future__ import annotations

import asyncio

from app.catalogue.cache import GENERATION_KEY, CatalogueCache
from app.catalogue.search import SearchIndex
from app.catalogue.snapshot import Snapshot
from app.kv import MemoryKV


class Loads:
    """Counts snapshot builds; each build answers the generation it was asked for."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.gate: asyncio.Event | None = None

    async def __call__(self, generation: str) -> Snapshot:
        self.calls.append(generation)
        if self.gate is not None:
            await self.gate.wait()
        return Snapshot(generation, "", [], {"X": generation.encode()}, SearchIndex([]), b"{}")


class CountingKV(MemoryKV):
    def __init__(self) -> None:
        super().__init__()
        self.gets = 0
        self.down = False

    async def get(self, key: str) -> str | None:
        self.gets += 1
        if self.down:
            raise ConnectionError("store down")
        return await super().get(key)

    async def set(self, key: str, value: str, *, ex: float | None = None, nx: bool = False) -> bool:
        if self.down:
            raise ConnectionError("store down")
        return await super().set(key, value, ex=ex, nx=nx)


def make(kv: CountingKV, loads: Loads, every: float = 60) -> CatalogueCache:
    return CatalogueCache(lambda: kv, check_every=every, loader=loads)


async def test_hits_touch_neither_loader_nor_store() -> None:
    kv, loads = CountingKV(), Loads()
    cache = make(kv, loads)
    first = await cache.snapshot()
    gets = kv.gets
    for _ in range(100):
        assert await cache.snapshot() is first
    assert loads.calls == ["0"] and kv.gets == gets


async def test_bump_is_seen_at_once_here_and_after_a_check_elsewhere() -> None:
    kv, loads_a, loads_b = CountingKV(), Loads(), Loads()
    a, b = make(kv, loads_a), make(kv, loads_b, every=0.05)
    await a.snapshot()
    old_b = await b.snapshot()
    await a.bump()
    new_gen = await kv.get(GENERATION_KEY)
    assert (await a.snapshot()).generation == new_gen
    # b serves what it has while it checks in the background, then swaps
    assert await b.snapshot() is old_b
    await asyncio.sleep(0.06)
    await b.snapshot()
    for _ in range(50):
        if (await b.snapshot()).generation == new_gen:
            break
        await asyncio.sleep(0.01)
    assert (await b.snapshot()).generation == new_gen
    await b.close()


async def test_a_build_that_straddles_an_invalidation_is_not_kept() -> None:
    kv, loads = CountingKV(), Loads()
    cache = make(kv, loads)
    loads.gate = asyncio.Event()
    reader = asyncio.create_task(cache.snapshot())
    await asyncio.sleep(0)
    await cache.bump()  # a publish committed while the reader was loading
    loads.gate.set()
    await reader
    loads.gate = None
    again = await cache.snapshot()
    assert again.generation == await kv.get(GENERATION_KEY)
    assert len(loads.calls) == 2


async def test_store_down_still_serves() -> None:
    kv, loads = CountingKV(), Loads()
    kv.down = True
    cache = make(kv, loads, every=0)
    snap = await cache.snapshot()
    assert snap.details["X"] == b"unknown"
    assert await cache.snapshot() is snap  # the failing check keeps the snapshot
    await asyncio.sleep(0.01)
    await cache.close()


async def test_without_a_store_nothing_is_cached() -> None:
    loads = Loads()
    cache = CatalogueCache(lambda: None, loader=loads)
    await cache.snapshot()
    await cache.snapshot()
    assert len(loads.calls) == 2


async def test_old_snapshots_are_rebuilt_even_without_a_bump() -> None:
    """A bump lost while the store was down is caught up after ``max_age``."""
    kv, loads = CountingKV(), Loads()
    cache = CatalogueCache(lambda: kv, check_every=0, max_age=0.02, loader=loads)
    await cache.snapshot()
    await asyncio.sleep(0.03)
    await cache.snapshot()  # starts the background check, which rebuilds
    for _ in range(50):
        if len(loads.calls) == 2:
            break
        await asyncio.sleep(0.01)
    assert len(loads.calls) == 2
    await cache.close()


async def test_bump_with_the_store_down_still_invalidates_here() -> None:
    kv, loads = CountingKV(), Loads()
    cache = make(kv, loads)
    await cache.snapshot()
    kv.down = True
    await cache.bump()
    await cache.snapshot()
    assert len(loads.calls) == 2
