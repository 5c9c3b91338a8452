"""Shared set-up for the WeChat wire tests: simulator, one aiohttp session, a fresh kv."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp

from app.http import open_session
from app.kv import KeyValue, open_kv
from app.settings import Settings
from channels.wechat.client import WeChatClient
from sandbox import wechat as wechat_sim
from sandbox.runner import RunningSimulator, start


def redis_url_for_tests() -> str | None:
    if os.environ.get("ZSB_TEST_BACKEND") == "sqlite":
        return None
    return os.environ.get("ZSB_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass
class WireRig:
    sim: RunningSimulator
    settings: Settings
    http: aiohttp.ClientSession
    kv: KeyValue
    client: WeChatClient

    @property
    def state(self) -> dict[str, Any]:
        return self.sim.app["state"]

    def fault(self, **faults: Any) -> None:
        for name, value in faults.items():
            self.state["faults"][name] = set(value) if isinstance(value, list) else value


async def rig(**overrides: Any) -> AsyncIterator[WireRig]:
    sim = await start(wechat_sim.create_app())
    settings = Settings(env="test", **{**wechat_sim.zsb_settings(sim.base_url), **overrides})
    http = open_session(settings.http_timeout)
    kv = open_kv(redis_url_for_tests(), f"zsbtest:{uuid.uuid4().hex[:8]}:")
    try:
        yield WireRig(sim, settings, http, kv, WeChatClient(settings, http, kv))
    finally:
        await http.close()
        await kv.close()
        await sim.stop()
