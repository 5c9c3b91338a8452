"""Liveness and readiness."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel
from sanic import Blueprint, HTTPResponse
from tortoise import connections

from app.context import AppRequest
from app.errors import RETRY_AFTER_SECONDS
from app.handler_kit import doc, ok, returns
from app.outages import outages

bp = Blueprint("health")
PROBE_SECONDS = 1.0  # a load balancer asks often: an answer within about a second


class Health(BaseModel):
    status: str
    checks: dict[str, str] = {}


@bp.get("/healthz")
@doc("Process alive", "health")
@returns(Health)
async def healthz(request: AppRequest) -> HTTPResponse:
    return ok({"status": "ok", "checks": {}})


@bp.get("/readyz")
@doc("Database and key-value store reachable", "health")
@returns(Health)
@returns(Health, status=503)
async def readyz(request: AppRequest) -> HTTPResponse:
    checks: dict[str, str] = {}

    async def database() -> None:
        await connections.get("default").execute_query("SELECT 1")

    async def kv() -> None:
        await request.app.ctx.kv.ping()

    for name, probe in (("database", database), ("kv", kv)):
        try:
            await asyncio.wait_for(probe(), timeout=PROBE_SECONDS)
            checks[name] = "ok"
        except Exception as exc:  # readiness reports every failure, whatever it is
            outages.report(name, exc)  # type: ignore[arg-type]
            checks[name] = f"error: {exc.__class__.__name__}"
    if all(v == "ok" for v in checks.values()):
        return ok({"status": "ok", "checks": checks})
    return ok({"status": "unavailable", "checks": checks}, 503,
              headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
