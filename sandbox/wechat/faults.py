"""Error answers and the switchable faults (slow, busy, expired token) every API path shares."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from aiohttp import web


def err(errcode: int, errmsg: str) -> web.Response:
    rid = uuid.uuid4().hex[:8]
    return web.json_response({"errcode": errcode, "errmsg": f"{errmsg} rid: {rid}"})


async def faults_answer(state: dict[str, Any], with_token: str | None) -> web.Response | None:
    faults = state["faults"]
    if faults["slow"]:
        await asyncio.sleep(float(faults["slow"]))
    if faults["busy"] > 0:
        faults["busy"] -= 1
        return err(-1, "system error")
    if with_token is not None:
        expires = state["tokens"].get(with_token)
        if faults["expire_token"] and expires is not None:
            faults["expire_token"] = False
            state["tokens"].clear()
            state["stable"] = None
            return err(42001, "access_token expired")
        if expires is None:
            return err(40001, "invalid credential, access_token is invalid or not latest")
        if expires <= time.monotonic():
            return err(42001, "access_token expired")
    return None
