"""A PostgreSQL killed and restarted under a write load (issue 17, problem 7).

The server runs as ``python -m app serve`` against a throw-away cluster this test starts
itself; writers create departments (one row per acknowledged request). Kill the whole cluster,
keep writing, start it again: every write that was answered 201 is in the database, every
failure in between is a fast 503 ``SERVICE_UNAVAILABLE`` with ``Retry-After``, the service
writes again within 5 s of the restart and the log holds a line per burst, not a traceback per
request.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

import asyncpg
import httpx
import pytest

from tests.faults.served import served
from tests.support.throwaway import pg_cluster

WRITERS = 6


@dataclass
class Load:
    acknowledged: list[str] = field(default_factory=list)
    unavailable: list[float] = field(default_factory=list)  # seconds each 503 took
    other: list[tuple[int, str]] = field(default_factory=list)
    last_ok: float = 0.0
    restarted_at: float = float("inf")
    back: asyncio.Event = field(default_factory=asyncio.Event)
    stop: bool = False


async def _writer(client: httpx.AsyncClient, headers: dict[str, str], who: int,
                  load: Load) -> None:
    n = 0
    while not load.stop:
        n += 1
        code = f"F{who}N{n}"
        started = time.monotonic()
        r = await client.post("/api/v1/staff/admin/departments", headers=headers,
                              json={"code": code, "name": f"故障测试{code}"})
        took = time.monotonic() - started
        if r.status_code == 201:
            load.acknowledged.append(code)
            load.last_ok = time.monotonic()
            if started >= load.restarted_at:
                load.back.set()
        elif r.status_code == 503:
            body = r.json()
            assert body["error"]["code"] == "SERVICE_UNAVAILABLE", r.text
            assert r.headers.get("retry-after") == "1", r.headers
            load.unavailable.append(took)
            await asyncio.sleep(0.05)
        else:
            load.other.append((r.status_code, r.text[:300]))
            await asyncio.sleep(0.05)


@pytest.mark.timeout(240)
async def test_writes_survive_a_postgres_kill_and_the_outage_answers_503(tmp_path) -> None:
    with pg_cluster() as pg:
        conn = await asyncpg.connect(pg.url)
        await conn.execute("CREATE DATABASE zsb")
        await conn.close()
        db_url = pg.url.rsplit("/", 1)[0] + "/zsb"
        async with served(tmp_path, {"ZSB_DATABASE_URL": db_url}) as app:
            headers = await app.staff_admin()
            load = Load()
            async with httpx.AsyncClient(base_url=app.base_url, timeout=10) as client:
                writers = [asyncio.create_task(_writer(client, headers, i, load))
                           for i in range(WRITERS)]
                await asyncio.sleep(1.5)
                before_kill = len(load.acknowledged)
                await asyncio.to_thread(pg.kill)
                killed_at = time.monotonic()
                await asyncio.sleep(2.5)
                during = await client.get("/readyz")
                await asyncio.to_thread(pg.start)
                restarted_at = load.restarted_at = time.monotonic()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(load.back.wait(), 10)
                back_after = load.last_ok - restarted_at
                await asyncio.sleep(1.0)
                load.stop = True
                await asyncio.gather(*writers)
                after = await client.get("/readyz")
            log_text = app.log_text()

        conn = await asyncpg.connect(db_url)
        stored = {r["code"] for r in await conn.fetch("SELECT code FROM department")}
        await conn.close()

    outage = restarted_at - killed_at
    print(
        f"\nwrites acknowledged {len(load.acknowledged)} ({before_kill} before the kill), "
        f"503 during a {outage:.1f} s outage: {len(load.unavailable)} "
        f"(slowest {max(load.unavailable, default=0):.3f} s), back {back_after:.2f} s "
        f"after the restart, other answers {len(load.other)}"
    )
    assert not load.other, load.other[:5]
    assert before_kill > 0 and len(load.acknowledged) > before_kill
    assert load.unavailable, "no request met the outage"
    assert max(load.unavailable) < 1.0
    lost = set(load.acknowledged) - stored
    assert not lost, f"{len(lost)} acknowledged writes missing: {sorted(lost)[:5]}"
    assert 0 <= back_after < 5, back_after
    assert during.status_code == 503 and during.json()["checks"]["database"] != "ok"
    assert during.headers.get("retry-after") == "1"
    assert after.status_code == 200, after.text
    assert "Traceback" not in log_text, log_text[-3000:]
    burst_lines = log_text.count("database unavailable")
    assert 1 <= burst_lines <= 3, log_text[-3000:]
