"""Issue 18 benchmark: case reads against both baselines of the same run.

    .venv/bin/python -m bench.bench_cases [--duration 5] [--rounds 3] [--queue 100000]

B0 is the hello-world (``bench/baseline.py``), B1 a plain Sanic worker doing one raw asyncpg
primary-key read on the same PostgreSQL (``bench/baseline_db.py``). Every scenario here reads the
database, so each is a ratio to B1; the 200-event case read is also a ratio to the 5-event one
(the read must stay flat as a case's history grows). Targets (issue 18): authenticated case read
≥ 0.6 × B1, my cases list (page of 20) ≥ 0.5 × B1, staff department queue (page of 50 over
100,000 cases) ≥ 0.4 × B1, 200 events within 15 % of 5 events, worker RSS ≤ 150 MB after it.
PostgreSQL only (B1 is asyncpg).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
from pathlib import Path
from typing import Any

import aiohttp

from bench import common
from bench.bench_api import ITEM, citizen_with_case
from sandbox import idcheck, sms
from sandbox.runner import start

TARGETS = {"case read, 5 events": 0.6, "case read, 200 events": 0.6,
           "my cases (page of 20)": 0.5, "staff queue (50 of 100,000)": 0.4}
PASSWORD = "bench-staff-password-0"
# one process like the baselines (and no worker-manager start-up deadline on a busy machine)
if "BENCH_ZSB_SERVE" not in os.environ:
    common.ZSB_SERVE = [str(common.ROOT / "bench" / "serve_single.py")]


async def _post(s: aiohttp.ClientSession, url: str, **kw: Any) -> Any:
    async with s.post(url, **kw) as resp:
        data = await resp.json(content_type=None)
        if resp.status >= 400:
            raise RuntimeError(f"POST {url} → {resp.status}: {data}")
        return data


async def _data(env: dict[str, str], base: str, headers: dict[str, str], queue: int
                ) -> dict[str, Any]:
    """A second case of 200 events beside the 5-event one, 20 more drafts for the list page,
    the department of ``queue`` cases and its clerk."""
    async with aiohttp.ClientSession() as s:
        ids = [int((await _post(s, f"{base}/api/v1/cases", headers=headers,
                                json={"item_code": ITEM, "channel": "app"}))["id"])
               for _ in range(21)]
    args = ["-m", "bench.case_data", "--history", f"{ids[0]}:200", "--queue", str(queue),
            "--staff", "bench_queue_clerk"]
    out = json.loads((await common.run_command(
        args, {**env, "ZSB_STAFF_PASSWORD": PASSWORD})).strip().splitlines()[-1])
    async with aiohttp.ClientSession() as s:
        pair = await _post(s, f"{base}/api/v1/staff/auth/login",
                           json={"username": "bench_queue_clerk", "password": PASSWORD})
    out.update(long_case=ids[0], staff_headers={"Authorization": f"Bearer {pair['access_token']}"})
    return out


async def main(rounds: int, queue: int, profile: str | None = None,
               only: str | None = None, pyspy: str | None = None) -> None:
    sims = {"sms": await start(sms.create_app()), "idcheck": await start(idcheck.create_app())}
    env: dict[str, str] = {}
    for name, module in (("sms", sms), ("idcheck", idcheck)):
        env.update(
            {f"ZSB_{k.upper()}": v for k, v in module.zsb_settings(sims[name].base_url).items()}
        )
    db = await common.Database("postgres").open()
    env.update(db.env)
    servers: list[common.Server] = []
    try:
        await common.prepare(env)
        zsb = await common.start_zsb(env)
        servers.append(zsb)
        headers, short_case = await citizen_with_case(zsb.base_url, sims)
        await common.run_command(["-m", "bench.case_data", "--history", f"{short_case}:5"], env)
        made = await _data(env, zsb.base_url, headers, queue)
        # the servers the load compares start after the data is written, like ours
        await zsb.stop()
        zsb = await common.start_zsb({**env, **({"BENCH_PROFILE": profile} if profile else {})})
        b0 = await common.start_baseline()
        b1 = await common.start_baseline_db(env)
        servers += [zsb, b0, b1]
        base = zsb.base_url
        print(f"case {short_case} (5 events), case {made['long_case']} (200 events), "
              f"{made['queue_cases']:,} queue cases ({made['queue_events']:,} events); "
              "measuring…", flush=True)
        scenarios: list[common.Scenario] = [
            ("B0 hello-world", b0.base_url + "/", None),
            ("B1 asyncpg primary-key read", f"{b1.base_url}/row/{short_case}", None),
            ("case read, 5 events", f"{base}/api/v1/cases/{short_case}", headers),
            ("case read, 200 events", f"{base}/api/v1/cases/{made['long_case']}", headers),
            ("my cases (page of 20)", f"{base}/api/v1/cases?limit=20", headers),
            ("staff queue (50 of 100,000)", f"{base}/api/v1/staff/cases?limit=50",
             made["staff_headers"]),
        ]
        if only:  # a profile of one scenario (--profile): just it, after the baselines
            scenarios = [s for s in scenarios if s[0].startswith(("B0", "B1", only))]
        spy = await _py_spy(zsb, pyspy) if pyspy else None
        results = await common.measure_rounds(scenarios, rounds)
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its file on ^C
            await spy.wait()
        rss = common.rss_mb(zsb)
        if only:
            common.report(results, results[1], summary=False)
        else:
            report(results, rss)
    finally:
        for server in servers:
            await server.stop()
        await db.close()
        for sim in sims.values():
            await sim.stop()


async def _py_spy(server: common.Server, path: str) -> asyncio.subprocess.Process:
    """py-spy sampling our worker (on-CPU samples only) while the load runs; collapsed stacks
    (``--format raw``) summed by ``bench/stacks.py``."""
    tool = shutil.which("py-spy") or str(Path(common.PYTHON).with_name("py-spy"))
    return await asyncio.create_subprocess_exec(
        tool, "record", "--pid", str(server.proc.pid), "--rate", "200", "--format", "raw",
        "--output", path, "--nonblocking")


def report(results: list[common.Result], rss: float) -> None:
    b0, b1, *rest = results
    print(f"\n{'scenario':30s} {'req/s':>8s} {'ratio':>10s} {'target':>8s} {'p50 ms':>7s} "
          f"{'p99 ms':>7s} {'errors':>6s}")
    for r in results:
        base, ref = ("B0", b0) if r is b0 else ("B1", b1)
        target = TARGETS.get(r.name)
        mark = "" if target is None else ("ok" if r.rps / ref.rps >= target else "MISS")
        print(f"{r.name:30s} {r.rps:8.0f} {r.rps / ref.rps:6.2f} {base:3s} "
              f"{'' if target is None else f'≥{target:.2f}':>8s} {r.p50_ms:7.2f} "
              f"{r.p99_ms:7.2f} {r.errors + r.non2xx:6d} {mark}")
        common.summarize(r.name, r.rps, base=base, ref=ref.rps, p99_ms=r.p99_ms, target=target)
    five, two_hundred = rest[0], rest[1]
    flat = two_hundred.rps / five.rps
    print(f"\n200 events / 5 events = {flat:.2f} (target ≥ 0.85: within 15 %)")
    print(f"worker RSS after the load: {rss:.0f} MB (target ≤ 150 MB)")
    common.summarize("case read 200 / 5 events", flat, base="5 events", ref=1.0, unit="ratio",
                     target=0.85)
    common.summarize("worker RSS after the case reads", rss, base="-", unit="MB")
    print(f"(load: {b0.tool}, {common.CONNECTIONS} connections, {common.DURATION:g}s per run, "
          f"median of {common.ROUNDS} interleaved rounds, one worker per server)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_cases")
    parser.add_argument("--duration", type=float, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=common.ROUNDS, help="interleaved rounds")
    parser.add_argument("--queue", type=int, default=100_000, help="cases in the queue")
    parser.add_argument("--profile", help="write a pyinstrument profile of our server here "
                        "(.html or text), with --only")
    parser.add_argument("--pyspy", help="write py-spy collapsed stacks of our server here")
    parser.add_argument("--only", help="measure only the scenario starting with this name")
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres",
                        help="PostgreSQL only (B1 reads it with asyncpg)")
    args = parser.parse_args()
    if args.backend != "postgres":
        print("bench_cases measures against B1, a raw asyncpg read: PostgreSQL only; skipped")
        raise SystemExit(0)
    if args.duration:
        common.DURATION = args.duration
    common.ROUNDS = args.rounds
    asyncio.run(main(args.rounds, args.queue, args.profile, args.only, args.pyspy))
