"""Issue 12 benchmark: ``GET /verify/<code>`` (JSON) and offline QR-payload verification, as
ratios to the hello-world baseline measured in the same run, with the server's event-loop lag
under that load (no SM2 work may block the loop), and the SM2 figures behind the choice of
library (Tongsuo against gmssl).

    .venv/bin/python -m bench.bench_certificates [--backend postgres|sqlite] [--duration 5]

``seed-demo`` issues the demo certificate; every look-up is a real one: rate limit (set out of
reach here, one client IP), the code's row, the seal checked again (SM2 in a thread), the
verification recorded and the holder's notice written to the outbox (the push dispatcher is
off: it runs in its own processes in production and is measured by bench_push).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import aiohttp
from gmssl import sm2 as gm

from app.certificates import content, seal
from app.crypto import sm2
from bench import common

LAG = re.compile(r"event loop lag p50=([\d.]+)ms p99=([\d.]+)ms max=([\d.]+)ms")


def per_second(fn: Callable[[], object], seconds: float = 1.5) -> float:
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - start)


def sm2_figures() -> dict[str, float]:
    key = sm2.generate()
    public = key.public_key()
    message = secrets.token_bytes(200)
    signature = sm2.sign(key, message)
    xy = sm2.public_xy(public)
    other = gm.CryptSM2(private_key=f"{key.private_numbers().private_value:064x}",
                        public_key=xy.hex())
    e = sm2.sm3(sm2.za(xy) + message)
    their_sig = other.sign(e, secrets.token_hex(32))
    return {
        "tongsuo sign": per_second(lambda: sm2.sign(key, message)),
        "tongsuo verify": per_second(lambda: sm2.verify(public, message, signature)),
        "gmssl sign": per_second(lambda: other.sign(e, secrets.token_hex(32)), 1.0),
        "gmssl verify": per_second(lambda: other.verify(their_sig, e), 1.0),
    }


def offline_rate() -> float:
    """``check_payload`` on a real payload (split, decode, SM2 verify, dates)."""
    key = sm2.generate()
    claim = content.OfflineClaim("0123456789ABCDEFGHJK", "GA-WFZJL", "张*", date(2026, 12, 4),
                                 date(2027, 3, 4), "bench-1")
    body = content.payload_body(claim)
    text = (f"http://127.0.0.1:8000/verify/{claim.code}#{body}."
            f"{content.b64e(sm2.sign(key, content.payload_message(body)))}")
    keys = {"bench-1": key.public_key()}
    today = date(2026, 12, 5)
    assert seal.check_payload(text, keys.get, today=today).status is seal.OfflineStatus.genuine
    return per_second(lambda: seal.check_payload(text, keys.get, today=today), 3.0)


async def main(backend: str, rounds: int) -> None:
    db = await common.Database(backend).open()
    env = {**db.env, "ZSB_VERIFY_PER_IP_PER_MINUTE": "1000000000",
           "ZSB_LOOP_LAG_REPORT_SECONDS": "1", "ZSB_DISPATCHER_ENABLED": "false",
           "ZSB_UPLOAD_DIR": str(Path(tempfile.gettempdir()) / f"bench-certificates-{os.getpid()}")}
    servers: list[common.Server] = []
    try:
        seeded = await common.prepare(env)
        found = re.search(r"/verify/([0-9A-Z]{20})", seeded)
        if not found:
            raise RuntimeError(f"seed-demo issued no certificate:\n{seeded[-2000:]}")
        code = found.group(1)
        baseline = await common.start_baseline()
        servers.append(baseline)
        zsb = await common.start_zsb(env)
        servers.append(zsb)
        json_headers = {"Accept": "application/json"}
        async with aiohttp.ClientSession() as session:  # warm: the seal's first check
            async with session.get(f"{zsb.base_url}/verify/{code}", headers=json_headers) as r:
                assert (await r.json())["status"] == "genuine"
        await asyncio.sleep(1.5)  # lag reports from here on: start-up (catalogue build) apart
        quiet_until = len(zsb.log.read_text())
        print(f"backend: {backend}; demo certificate {code}; measuring…", flush=True)
        results = await common.measure_rounds(
            [("baseline hello-world", baseline.base_url + "/", None),
             ("verify JSON", f"{zsb.base_url}/verify/{code}", json_headers),
             ("verify HTML", f"{zsb.base_url}/verify/{code}", None)],
            rounds,
        )
        await asyncio.sleep(1.2)  # the last lag report of the load
        common.report(results, results[0])
        offline = offline_rate()
        print(f"\noffline payload verification (one core, in process): {offline:,.0f}/s = "
              f"{offline / results[0].rps:.2f} of the baseline's req/s")
        lags = [tuple(map(float, m.groups()))
                for m in LAG.finditer(zsb.log.read_text()[quiet_until:])]
        busy = [lag for lag in lags if lag[2] > 0] or lags
        if busy:
            print(f"event loop lag while serving (per-second reports, {len(lags)}): worst p99 "
                  f"{max(x[1] for x in busy):.2f} ms, worst max {max(x[2] for x in busy):.2f} ms, "
                  f"median p50 {sorted(x[0] for x in busy)[len(busy) // 2]:.2f} ms")
        print("\nSM2 on one core (operations/s):")
        for name, rate in sm2_figures().items():
            print(f"  {name:16s} {rate:9,.0f}")
    finally:
        for server in servers:
            await server.stop()
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_certificates")
    parser.add_argument("--backend", choices=["postgres", "sqlite"],
                        default=os.environ.get("ZSB_TEST_BACKEND", "postgres"))
    parser.add_argument("--duration", type=float, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=common.ROUNDS, help="interleaved rounds")
    args = parser.parse_args()
    if args.duration:
        common.DURATION = args.duration
    common.ROUNDS = args.rounds
    asyncio.run(main(args.backend, args.rounds))
