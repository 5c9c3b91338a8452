"""Issue 2 benchmark: in one run, the throughput of a plain Sanic hello-world (the baseline),
the item list, a cached item detail and an authenticated case read, each as a ratio to the
baseline. Target: cached item detail ≥ 0.7.

    .venv/bin/python -m bench.bench_api [--backend postgres|sqlite] [--duration 5]

It starts the SMS and ID-check simulators in this process, a fresh database, the baseline and
our server (one worker each), then logs a citizen in through the API (SMS one-time code, L2
real-name check), files a draft case and reads it back under load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
from typing import Any

import aiohttp

from bench import common
from sandbox import idcheck, sms
from sandbox.runner import RunningSimulator, start

ITEM = "GA-330100-0001"  # 居民身份证换领 (L2 real-name, offered on the app channel)


def _id_number() -> str:
    """A GB 11643 valid ID number (check character computed)."""
    body = (
        f"110105{random.randint(1960, 2000)}0{random.randint(1, 9)}1{random.randint(0, 9)}"
        f"{random.randint(100, 999)}"
    )
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(body))
    return body + "10X98765432"[total % 11]


async def _call(session: aiohttp.ClientSession, method: str, url: str, **kw: Any) -> Any:
    async with session.request(method, url, **kw) as resp:
        data = await resp.json(content_type=None)
        if resp.status >= 400:
            raise RuntimeError(f"{method} {url} → {resp.status}: {data}")
        return data


async def citizen_with_case(
    base: str, sims: dict[str, RunningSimulator]
) -> tuple[dict[str, str], int]:
    """Log a new citizen in through the API, verify to L2 and file a draft; answer the auth
    headers and the case id."""
    phone = f"139{random.randint(0, 10**8 - 1):08d}"
    name, id_number = "张三", _id_number()
    async with aiohttp.ClientSession() as s:
        await _call(s, "POST", f"{base}/api/v1/auth/otp", json={"phone": phone})
        messages = await _call(
            s, "GET", f"{sims['sms'].base_url}/_sim/messages", params={"phone": phone}
        )
        code = str(messages[-1]["params"]["code"])
        pair = await _call(
            s, "POST", f"{base}/api/v1/auth/otp/login", json={"phone": phone, "code": code}
        )
        headers = {"Authorization": f"Bearer {pair['access_token']}"}
        texts = await _call(s, "GET", f"{base}/api/v1/consents/texts")
        version = _consent_version(texts)
        await _call(
            s,
            "POST",
            f"{base}/api/v1/consents",
            headers=headers,
            json={"purpose": "realname", "text_version": version},
        )
        await _call(
            s,
            "POST",
            f"{sims['idcheck'].base_url}/_sim/people",
            json={"id_number": id_number, "name": name},
        )
        await _call(
            s,
            "POST",
            f"{base}/api/v1/realname/idcard",
            headers=headers,
            json={"name": name, "id_number": id_number},
        )
        case = await _call(
            s,
            "POST",
            f"{base}/api/v1/cases",
            headers=headers,
            json={"item_code": ITEM, "channel": "app"},
        )
    return headers, int(case["id"])


def _consent_version(texts: Any) -> str:
    rows = texts.get("items", texts) if isinstance(texts, dict) else texts
    if isinstance(rows, dict):  # {"realname": {...}, "face": {...}}
        row = rows.get("realname", {})
        return str(row.get("version") or row.get("text_version"))
    for row in rows:
        if row.get("purpose") == "realname":
            return str(row.get("version") or row.get("text_version"))
    raise RuntimeError(f"no realname consent text in {texts}")


async def main(backend: str, rounds: int) -> None:
    sims = {"sms": await start(sms.create_app()), "idcheck": await start(idcheck.create_app())}
    env: dict[str, str] = {}
    for name, module in (("sms", sms), ("idcheck", idcheck)):
        env.update(
            {f"ZSB_{k.upper()}": v for k, v in module.zsb_settings(sims[name].base_url).items()}
        )
    db = await common.Database(backend).open()
    env.update(db.env)
    servers: list[common.Server] = []
    try:
        await common.prepare(env)
        baseline = await common.start_baseline()
        servers.append(baseline)
        zsb = await common.start_zsb(env)
        servers.append(zsb)
        headers, case_id = await citizen_with_case(zsb.base_url, sims)
        base = zsb.base_url
        print(f"backend: {backend}; case {case_id}; measuring…", flush=True)
        results = await common.measure_rounds(
            [
                ("baseline hello-world", baseline.base_url + "/", None),
                ("item list (page 1)", base + "/api/v1/items", None),
                ("item detail (cached)", f"{base}/api/v1/items/{ITEM}", None),
                ("case read (authenticated)", f"{base}/api/v1/cases/{case_id}", headers),
            ],
            rounds,
        )
        common.report(results, results[0])
        detail = results[2].rps / results[0].rps
        print(f"cached item detail / baseline = {detail:.2f} (target ≥ 0.70)")
    finally:
        for server in servers:
            await server.stop()
        await db.close()
        for sim in sims.values():
            await sim.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_api")
    parser.add_argument(
        "--backend",
        choices=["postgres", "sqlite"],
        default=os.environ.get("ZSB_TEST_BACKEND", "postgres"),
    )
    parser.add_argument("--duration", type=float, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=common.ROUNDS, help="interleaved rounds")
    args = parser.parse_args()
    if args.duration:
        common.DURATION = args.duration
    common.ROUNDS = args.rounds
    asyncio.run(main(args.backend, args.rounds))
