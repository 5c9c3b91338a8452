"""Issue 4 benchmark: safe-mode WeChat callbacks per second against the plain Sanic
hello-world, both served the same way (one worker) and loaded by the same generator in the same
run. Target: callbacks ≥ 0.4 of the baseline.

    .venv/bin/python -m bench.bench_wechat_callback [--backend postgres|sqlite] [--duration 5]
        [--connections 32] [--python-load --loaders 2]

Each callback is a distinct encrypted text message (its own MsgId, so every one is recorded,
none is a duplicate) and is answered with an encrypted passive reply: signature check, AES
decrypt, parse, one insert, reply, AES encrypt. The load comes from ``wrk`` when installed (a Lua
script cycling through callbacks signed before the clock starts; the baseline through
``bench.common.measure``), else from ``--loaders`` aiohttp processes for both.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import time
from typing import Any

import aiohttp

from bench import common
from sandbox.wechat import proto

_SEEDS = itertools.count(os.getpid() % 1000 * 100)  # a fresh MsgId range for every run
CALLBACK_ENV = {
    "ZSB_WECHAT_APPID": proto.APPID,
    "ZSB_WECHAT_TOKEN": proto.TOKEN,
    "ZSB_WECHAT_AES_KEY": proto.ENCODING_AES_KEY,
    "ZSB_WECHAT_ORIGINAL_ID": proto.ORIGINAL_ID,
}


def _requests(count: int, seed: int) -> list[tuple[str, str]]:
    """Pre-signed (query string, body) pairs, each a fresh message."""
    out = []
    for n in range(count):
        xml = proto.build_text(
            f"oBENCH{seed:04d}{n % 500:06d}", "你好", msg_id=str(seed * 10**9 + n + 10**15)
        )
        query, body = proto.sign_request(xml, "aes")
        out.append(("&".join(f"{k}={v}" for k, v in query.items()), body))
    return out


async def _load(url: str, mode: str, seconds: float, connections: int, seed: int) -> dict[str, Any]:
    bodies = _requests(30000, seed) if mode == "wechat" else []
    latencies: list[float] = []
    errors = 0
    cursor = 0
    stop_at = time.perf_counter() + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors, cursor
        while time.perf_counter() < stop_at:
            t = time.perf_counter()
            try:
                if mode == "wechat":
                    query, body = bodies[cursor % len(bodies)]
                    cursor += 1
                    async with session.post(f"{url}?{query}", data=body.encode()) as resp:
                        text = await resp.read()
                        ok = resp.status == 200 and text.startswith(b"<xml>")
                else:
                    async with session.get(url) as resp:
                        await resp.read()
                        ok = resp.status == 200
            except aiohttp.ClientError:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - t)
            else:
                errors += 1

    connector = aiohttp.TCPConnector(limit=connections)
    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(connections)))
    return {"elapsed": time.perf_counter() - started, "latencies": latencies, "errors": errors}


def _wrk_script(count: int) -> str:
    """A wrk Lua script cycling through ``count`` pre-signed callbacks, plus the reporter."""
    rows = []
    for query, body in _requests(count, next(_SEEDS)):
        rows.append(f"{{[==[/callbacks/wechat?{query}]==],[==[{body}]==]}}")
    # the raw requests are built once per thread in init(), so request() costs wrk almost
    # nothing: on a small machine the load generator shares the cores with the server
    return (
        "local rows = {" + ",\n".join(rows) + "}\nlocal reqs = {}\nlocal i = 0\n"
        "init = function(args)\n"
        "  local headers = {['Content-Type'] = 'text/xml'}\n"
        "  for n, r in ipairs(rows) do reqs[n] = wrk.format('POST', r[1], headers, r[2]) end\n"
        "end\n"
        "request = function()\n  i = i + 1\n  return reqs[(i % #reqs) + 1]\nend\n"
        + common._WRK_REPORT
    )


async def _wrk_post(name: str, base_url: str, seconds: float, connections: int) -> common.Result:
    # Lua allows 65,536 constants in a chunk: two per row
    script = _wrk_script(min(30000, max(5000, int(seconds * 4000))))
    return await common.run_wrk(name, base_url, script, seconds, connections)


async def _check_one(base_url: str) -> None:
    """One callback before the clock starts: it must come back as an encrypted reply."""
    query, body = _requests(1, 99999)[0]
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{base_url}/callbacks/wechat?{query}", data=body.encode()) as resp:
            text = await resp.text()
    if resp.status != 200 or "<Encrypt>" not in text:
        raise RuntimeError(f"callback check failed: {resp.status} {text[:300]}")
    if "进度 办件编号" not in proto.decrypt_reply(text):
        raise RuntimeError("callback reply is not the help text")


async def _measure(name: str, url: str, mode: str, args: argparse.Namespace) -> common.Result:
    if common.WRK and not args.python_load:
        if mode == "wechat":
            return await _wrk_post(
                name, url.rsplit("/callbacks", 1)[0], args.duration, args.connections
            )
        return await common.measure(name, url, seconds=args.duration)
    per = max(1, args.connections // args.loaders)
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.bench_wechat_callback",
            "--child",
            url,
            mode,
            str(args.duration),
            str(per),
            str(i + 1 + (os.getpid() % 1000) * 10),
            cwd=common.ROOT,
            stdout=asyncio.subprocess.PIPE,
        )
        for i in range(args.loaders)
    ]
    outs = [json.loads((await p.communicate())[0]) for p in procs]
    latencies = sorted(x for o in outs for x in o["latencies"])
    elapsed = max(o["elapsed"] for o in outs)

    def pct(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000

    errors = sum(o["errors"] for o in outs)
    return common.Result(
        name, len(latencies) / elapsed, pct(0.5), pct(0.9), pct(0.99), errors, tool="aiohttp"
    )


async def main(args: argparse.Namespace) -> None:
    db = await common.Database(args.backend).open()
    env = {**db.env, **CALLBACK_ENV}
    baseline = zsb = None
    try:
        await common.run_command(["-m", "app", "migrate"], env)
        baseline = await common.start_baseline()
        zsb = await common.start_zsb(env)
        await _check_one(zsb.base_url)
        # warm both up, then measure; baseline first, then ours, same generator
        warm = argparse.Namespace(**{**vars(args), "duration": 1.0})
        await _measure("warmup", baseline.base_url + "/", "get", warm)
        await _measure("warmup", zsb.base_url + "/callbacks/wechat", "wechat", warm)
        # interleaved rounds, the median of each kept, as bench.common does for GET scenarios
        bases, cbs = [], []
        for _ in range(common.ROUNDS):
            bases.append(
                await _measure("hello-world baseline", baseline.base_url + "/", "get", args)
            )
            cbs.append(
                await _measure(
                    "wechat safe-mode callback", zsb.base_url + "/callbacks/wechat", "wechat", args
                )
            )
        base = sorted(bases, key=lambda r: r.rps)[len(bases) // 2]
        cb = sorted(cbs, key=lambda r: r.rps)[len(cbs) // 2]
        common.report([base, cb], base)
        ratio = cb.rps / base.rps if base.rps else 0.0
        verdict = "meets" if ratio >= 0.4 else "misses"
        tool = "wrk" if common.WRK and not args.python_load else f"{args.loaders} aiohttp loaders"
        print("rounds (req/s): baseline " + ", ".join(f"{r.rps:.0f}" for r in bases)
              + "; callbacks " + ", ".join(f"{r.rps:.0f}" for r in cbs))
        print(f"backend {args.backend}, load by {tool}: ratio {ratio:.2f} {verdict} the 0.4 target")
    finally:
        for server in (zsb, baseline):
            if server is not None:
                await server.stop()
        await db.close()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        url, mode, seconds, conns, seed = sys.argv[2:7]
        result = asyncio.run(_load(url, mode, float(seconds), int(conns), int(seed)))
        print(json.dumps(result))
        sys.exit(0)
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--duration", type=float, default=common.DURATION)
    parser.add_argument("--loaders", type=int, default=2)
    parser.add_argument("--connections", type=int, default=common.CONNECTIONS)
    parser.add_argument("--python-load", action="store_true", help="aiohttp loaders, not wrk")
    asyncio.run(main(parser.parse_args()))
