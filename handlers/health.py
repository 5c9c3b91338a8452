"""Liveness and readiness."""

from __future__ import annotations

import asyncio
import logging

from pydantic import BaseModel
from sanic import Blueprint
from tortoise import connections

from app.context import AppRequest
from app.handler_kit import doc, ok, returns

bp = Blueprint("health")
log = logging.getLogger("zsb.health")


class Health(BaseModel):
    status: str
    checks: dict[str, str] = {}


@bp.get("/healthz")
@doc("Process alive", "health")
@returns(Health)
async def healthz(request: AppRequest):  # type: ignore[no-untyped-def]
    return ok({"status": "ok", "checks": {}})


@bp.get("/readyz")
@doc("Database and key-value store reachable", "health")
@returns(Health)
@returns(Health, status=503)
async def readyz(request: AppRequest):  # type: ignore[no-untyped-def]
    checks: dict[str, str] = {}

    async def database() -> None:
        await connections.get("default").execute_query("SELECT 1")

    async def kv() -> None:
        await request.app.ctx.kv.ping()

    for name, probe in (("database", database), ("kv", kv)):
        try:
            await asyncio.wait_for(probe(), timeout=2)
            checks[name] = "ok"
        except Exception as exc:  # readiness reports every failure, whatever it is
            log.warning("readiness check %s failed", name, exc_info=True)
            checks[name] = f"error: {exc.__class__.__name__}"
    ready = all(v == "ok" for v in checks.values())
    return ok({"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503)
