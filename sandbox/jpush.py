"""JPush REST API v3 simulator: ``POST /v3/push`` with Basic auth, audience by registration id.

Faults (``POST /_sim/fault {"mode", "count", "delay"}``): ``quota`` (HTTP 429, code 2002),
``busy`` (HTTP 503, code 1000), ``slow`` (push made, answer after ``delay`` seconds — a
client that gives up first has still reached the phone), ``unregistered``
(HTTP 400, code 1011 for every audience). ``count`` limits how many requests a fault hits
(0 = until cleared). Ids posted to ``/_sim/unregister`` are unknown devices (code 1011).

The simulator also plays the app on the phone: it shows a message once per ``extras.zsb_id``
per device: ``state.received`` counts every arrival, ``state.shown`` what a person sees.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

APP_KEY = "7d431e42dfa6a6d693ac2d04"  # the doc sample's key pair
MASTER_SECRET = "5e987ac6d2e04d95a9d8f0d1"


@dataclass
class Fault:
    mode: str | None = None
    count: int = 0  # requests left to hit; 0 = every request until cleared
    delay: float = 0.0


@dataclass
class JPushState:
    app_key: str = APP_KEY
    master_secret: str = MASTER_SECRET
    fault: Fault = field(default_factory=Fault)
    unregistered: set[str] = field(default_factory=set)
    pushes: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=1000))
    push_count: int = 0
    received: Counter[tuple[str, str]] = field(default_factory=Counter)
    shown: set[tuple[str, str]] = field(default_factory=set)
    requests: int = 0
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1828256757))

    def take_fault(self) -> Fault | None:
        if self.fault.mode is None:
            return None
        fault = Fault(self.fault.mode, self.fault.count, self.fault.delay)
        if self.fault.count:
            self.fault.count -= 1
            if self.fault.count == 0:
                self.fault = Fault()
        return fault


def _error(status: int, code: int, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


async def push(request: web.Request) -> web.Response:
    state: JPushState = request.app["state"]
    state.requests += 1
    expected = base64.b64encode(f"{state.app_key}:{state.master_secret}".encode()).decode()
    if request.headers.get("Authorization") != f"Basic {expected}":
        return _error(401, 1004, "Authen failed")
    try:
        body = json.loads(await request.text())
        ids = body["audience"]["registration_id"]
        notification = body["notification"]
    except (ValueError, KeyError, TypeError):
        return _error(400, 1003, "Parameter value is invalid")
    if not isinstance(ids, list) or not ids or not isinstance(notification, dict):
        return _error(400, 1002, "Missing parameter")
    fault = state.take_fault()
    if fault and fault.mode == "quota":
        return _error(429, 2002, "Request times of the app_key exceed the limit")
    if fault and fault.mode == "busy":
        return _error(503, 1000, "Server Internal error")
    known = [i for i in ids if i not in state.unregistered]
    msg_id = str(next(state.ids))
    if (fault and fault.mode == "unregistered") or not known:
        return web.json_response(
            {"error": {"code": 1011, "message": "cannot find user by this audience"},
             "msg_id": msg_id}, status=400)
    extras = (notification.get("android") or {}).get("extras") or {}
    state.pushes.append({"msg_id": msg_id, "registration_ids": known, "body": body})
    state.push_count += 1
    for reg_id in known:
        key = (reg_id, str(extras.get("zsb_id", msg_id)))
        state.received[key] += 1
        state.shown.add(key)
    if fault and fault.mode == "slow":  # taken and pushed, but the answer comes late
        await asyncio.sleep(fault.delay or 2.0)
    sendno = str((body.get("options") or {}).get("sendno", 0))
    return web.json_response({"sendno": sendno, "msg_id": msg_id})


async def set_fault(request: web.Request) -> web.Response:
    data = await request.json()
    request.app["state"].fault = Fault(data.get("mode"), int(data.get("count", 0)),
                                       float(data.get("delay", 0)))
    return web.json_response({"ok": True})


async def clear_fault(request: web.Request) -> web.Response:
    request.app["state"].fault = Fault()
    return web.json_response({"ok": True})


async def unregister(request: web.Request) -> web.Response:
    data = await request.json()
    request.app["state"].unregistered.update(data.get("registration_ids", []))
    return web.json_response({"ok": True})


async def pushes(request: web.Request) -> web.Response:
    state: JPushState = request.app["state"]
    return web.json_response({"count": state.push_count, "pushes": list(state.pushes)[-100:]})


def create_app() -> web.Application:
    app = web.Application()
    app["state"] = JPushState()
    app.router.add_post("/v3/push", push)
    app.router.add_post("/_sim/fault", set_fault)
    app.router.add_delete("/_sim/fault", clear_fault)
    app.router.add_post("/_sim/unregister", unregister)
    app.router.add_get("/_sim/pushes", pushes)
    return app


def zsb_settings(base_url: str) -> dict[str, str]:
    return {"jpush_api_base": base_url, "jpush_app_key": APP_KEY,
            "jpush_master_secret": MASTER_SECRET}
