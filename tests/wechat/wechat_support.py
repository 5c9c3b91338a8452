"""Driving the WeChat simulator against our running server, as WeChat would."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from models.wechat import InboundCallback


def new_openid() -> str:
    return "oTEST" + uuid.uuid4().hex[:23]


async def send(sim_base: str, kind: str, **params: Any) -> dict[str, Any]:
    """Have the simulator push one signed callback of ``kind``; answer our server's response."""
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.post(f"{sim_base}/_sim/send/{kind}", json=params)
        resp.raise_for_status()
        return resp.json()


async def sim_call(sim_base: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=10) as client:
        resp = await client.post(f"{sim_base}{path}", json=body)
        resp.raise_for_status()
        return resp.json()


async def records(openid: str) -> list[InboundCallback]:
    return await InboundCallback.filter(openid=openid).order_by("id")


async def wait_for(check: Any, seconds: float = 3.0) -> Any:
    """Poll an async check until it answers something truthy (for pushed receipts)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while True:
        result = await check()
        if result or loop.time() >= end:
            return result
        await asyncio.sleep(0.02)
