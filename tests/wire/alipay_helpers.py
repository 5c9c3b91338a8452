"""Shared pieces of the Alipay wire tests: a simulator, settings pointing at it, and a stand-in
merchant endpoint that verifies notifies with the real ``AlipayGateway`` code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from app.interfaces import PayResult, ProviderError
from app.settings import Settings
from channels.alipay.client import AlipayClient
from channels.alipay.payment import AlipayGateway
from sandbox import alipay as alipay_sim
from sandbox.runner import RunningSimulator


def settings_for(sim: RunningSimulator, **overrides: Any) -> Settings:
    values: dict[str, Any] = {**alipay_sim.zsb_settings(sim.base_url), "http_timeout": 5.0}
    values.update(overrides)
    return Settings(**values)


def client_for(
    sim: RunningSimulator, http: aiohttp.ClientSession, **overrides: Any
) -> AlipayClient:
    return AlipayClient(settings_for(sim, **overrides), http)


@dataclass
class Merchant:
    """Receives notifies; answers ``fail`` for the first ``refuse`` attempts, then ``success``."""

    gateway: AlipayGateway
    refuse: int = 0
    seen: int = 0
    results: list[PayResult] = field(default_factory=list)
    errors: list[ProviderError] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.seen += 1
        try:
            result = await self.gateway.verify_notify(dict(request.headers), await request.read())
        except ProviderError as exc:
            self.errors.append(exc)
            return web.Response(text="fail")
        self.results.append(result)
        if self.seen <= self.refuse:
            return web.Response(text="fail")
        return web.Response(text="success")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/callbacks/alipay", self.handle)
        return app
