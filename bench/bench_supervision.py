"""Issue 14: a year of 电子监察 figures over a million cases answers in well under a second.

A fresh database gets a generated year (``bench/supervision_data.py``: a million cases by
default, with the events their handling writes), the daily rollup is built for every settled
day (timed: the backfill a new deployment runs once), and then the figures of the whole year
are asked for, by department and by item: in-process (the service) and through the API over
HTTP with a supervisor's token. The baseline is the same year worked out from the events alone,
as the API would have to without the rollup, measured once in the same run.

    .venv/bin/python -m bench.bench_supervision [--cases 1000000] [--backend sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import timedelta
from typing import Any

import aiohttp

from bench.common import Database, start_zsb


def _timed(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:.0f} ms (min {min(samples) * 1000:.0f})"


async def _service_figures(staff: Any, start: Any, end: Any, by: str) -> float:
    from app.supervision.query import figures

    began = time.perf_counter()
    await figures(staff, start=start, end=end, by=by)  # type: ignore[arg-type]
    return time.perf_counter() - began


async def main(args: argparse.Namespace) -> int:
    db = await Database(args.backend).open()
    try:
        os.environ.update(db.env)
        from app.db import init_db, migrate
        from app.settings import get_settings, reset_settings_cache

        reset_settings_cache()
        settings = get_settings()
        await migrate(settings)
        await init_db(settings)
        return await _run(args, db)
    finally:
        from tortoise import Tortoise

        await Tortoise.close_connections()
        await db.close()


async def _run(args: argparse.Namespace, db: Database) -> int:
    from tortoise import Tortoise

    from app import sql
    from app.staff import Role, StaffPrincipal, create_staff_account
    from app.supervision.rollup import roll_pending, today
    from bench.supervision_data import Plan, generate
    from models.supervision import DailyFigures, RolledDay

    conn = Tortoise.get_connection("default")
    end = today() - timedelta(days=1)
    plan = Plan(cases=args.cases, end=end, days=365, departments=20, items_per_department=10)
    began = time.perf_counter()
    made = await generate(conn, plan, progress=lambda n: n % 200_000 == 0 and print(
        f"  … {n:,} cases", flush=True))
    print(f"generated {made.cases:,} cases and {made.events:,} events over {plan.days} days "
          f"in {time.perf_counter() - began:.0f} s ({made.outcomes})", flush=True)
    if sql.is_postgres(conn):
        await conn.execute_script("ANALYZE")

    began = time.perf_counter()
    days = await roll_pending(limit=10_000)
    rows = await DailyFigures.all().count()
    print(f"rollup backfill: {days} days, {rows:,} rows in "
          f"{time.perf_counter() - began:.1f} s", flush=True)

    supervisor = StaffPrincipal(id=0, roles=(Role.supervisor,),
                                department_id=made.department_ids[0])
    start, stop = today() - timedelta(days=364), today()
    results: dict[str, list[float]] = {"department": [], "item": []}
    for _ in range(args.repeat):
        for by in results:
            results[by].append(await _service_figures(supervisor, start, stop, by))
    for by, samples in results.items():
        print(f"service figures, a year by {by}: {_timed(samples)}", flush=True)

    http = await _over_http(db, made.department_ids[0], start, stop, args.repeat,
                            create_staff_account)
    for by, samples in http.items():
        print(f"GET /api/v1/staff/supervision/figures, a year by {by}: {_timed(samples)}",
              flush=True)

    # the baseline: no rollup, every day of the year worked out from its events
    await RolledDay.all().delete()
    await DailyFigures.all().delete()
    baseline = await _service_figures(supervisor, start, stop, "department")
    rolled = statistics.median(results["department"])
    print(f"baseline (the same year from the events alone): {baseline:.1f} s; "
          f"rollup answers in {rolled / baseline:.4f} of it ({baseline / rolled:,.0f}× faster)")
    return 0


async def _over_http(
    db: Database, department_id: int, start: Any, stop: Any, repeat: int, create: Any
) -> dict[str, list[float]]:
    from models.core import Department

    dept = await Department.get(id=department_id)
    password = "bench supervisor password"
    await create("bench_supervisor", password, ["supervisor"], dept.code)
    server = await start_zsb({**db.env, "ZSB_BACKGROUND_TASKS": "false"})
    out: dict[str, list[float]] = {"department": [], "item": []}
    try:
        async with aiohttp.ClientSession(server.base_url) as http:
            async with http.post("/api/v1/staff/auth/login", json={
                    "username": "bench_supervisor", "password": password}) as r:
                token = (await r.json())["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            for _ in range(repeat + 1):  # the first request warms the worker up
                for by in out:
                    began = time.perf_counter()
                    async with http.get("/api/v1/staff/supervision/figures", headers=headers,
                                        params={"start": start.isoformat(),
                                                "end": stop.isoformat(), "by": by}) as r:
                        assert r.status == 200, await r.text()
                        await r.read()
                    out[by].append(time.perf_counter() - began)
    finally:
        await server.stop()
    return {by: samples[1:] for by, samples in out.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_supervision")
    parser.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    sys.exit(asyncio.run(main(parser.parse_args())))
