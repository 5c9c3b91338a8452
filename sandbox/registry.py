"""Simulator of the market-regulation registry (企业登记信息), speaking the protocol documented in
``channels/registry/__init__.py``: requests signed as every government edge's are (``X-Gov-*``:
app id, timestamp ±300 s, nonce never reused, HMAC-SHA256), answers with the registry's codes.

``POST /v1/enterprises/lookup`` {credit_code} → the enterprise (name, legal representative with
ID number, status 存续 / 在业 / 吊销 / 注销), or 404 ``ENTERPRISE_NOT_FOUND``.

Control: ``POST /_sim/enterprises`` {credit_code, name, legal_rep_name, legal_rep_id_number,
status?} registers or changes one (answers it); ``POST /_sim/faults`` {code, http_status,
times} scripts the next answers; ``GET /_sim/requests`` lists the credit codes looked up. The
demo company ``91110000600037341L`` (示范市示范科技有限公司) is 张三's (``110102199101010078``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac as std_hmac
import json
import time
import uuid
from typing import Any

from aiohttp import web

APP_ID = "zsb-sim"
APP_SECRET = "sim-registry-app-secret"
WINDOW = 300
STATUS_CODES = {"存续": "1", "在业": "2", "吊销": "3", "注销": "4"}
DEMO = {"credit_code": "91110000600037341L", "name": "示范市示范科技有限公司",
        "legal_rep_name": "张三", "legal_rep_id_number": "110102199101010078"}


def _answer(code: str = "0", data: Any = None, status: int = 200,
            message: str = "ok") -> web.Response:
    return web.json_response({"code": code, "message": message,
                              "request_id": uuid.uuid4().hex, "data": data}, status=status)


def register(state: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    status = spec.get("status", "存续")
    record = {
        "credit_code": str(spec["credit_code"]).upper(), "name": spec["name"],
        "legal_rep": {"name": spec["legal_rep_name"], "id_type": "居民身份证",
                      "id_number": str(spec["legal_rep_id_number"]).upper()},
        "status": status, "status_code": STATUS_CODES.get(status, "1"),
    }
    state["enterprises"][record["credit_code"]] = record
    return record


async def _authentic(request: web.Request, body: bytes) -> web.Response | None:
    """The government edges' request signature, computed here on its own so that it
    cross-checks ``channels/govsign.py``."""
    state = request.app["state"]
    h = request.headers
    ts, nonce = h.get("X-Gov-Timestamp", ""), h.get("X-Gov-Nonce", "")
    if h.get("X-Gov-Appid") != APP_ID:
        return _answer("AUTH_FAILED", status=401, message="unknown app")
    if not ts.isdigit() or abs(time.time() - int(ts)) > WINDOW:
        return _answer("TIMESTAMP_OUT_OF_RANGE", status=401, message="stale request")
    to_sign = (f"POST\n{request.path}\n{ts}\n{nonce}\n"
               f"{hashlib.sha256(body).hexdigest()}\n").encode()
    expected = base64.b64encode(
        std_hmac.new(APP_SECRET.encode(), to_sign, hashlib.sha256).digest()).decode()
    if not std_hmac.compare_digest(expected, h.get("X-Gov-Signature", "")):
        return _answer("AUTH_FAILED", status=401, message="bad signature")
    seen = state["nonces"]
    now = time.time()
    for old in [n for n, at in seen.items() if now - at > 2 * WINDOW]:
        del seen[old]
    if not 16 <= len(nonce) <= 64 or nonce in seen:
        return _answer("NONCE_REUSED", status=401, message="nonce reused")
    seen[nonce] = now
    return None


def _fault(state: dict[str, Any]) -> web.Response | None:
    for fault in state["faults"]:
        if fault["times"] > 0:
            fault["times"] -= 1
            return _answer(fault["code"], status=int(fault.get("http_status", 503)),
                           message="scripted")
    return None


async def _lookup(request: web.Request) -> web.Response:
    state = request.app["state"]
    body = await request.read()
    refused = await _authentic(request, body) or _fault(state)
    if refused is not None:
        return refused
    try:
        code = str(json.loads(body)["credit_code"]).upper()
    except (ValueError, KeyError, TypeError):
        return _answer("BAD_REQUEST", status=400, message="bad body")
    state["requests"].append(code)
    found = state["enterprises"].get(code)
    if found is None:
        return _answer("ENTERPRISE_NOT_FOUND", status=404, message="no such enterprise")
    return _answer(data={"enterprise": found})


async def _sim_register(request: web.Request) -> web.Response:
    return web.json_response(register(request.app["state"], await request.json()))


async def _sim_faults(request: web.Request) -> web.Response:
    request.app["state"]["faults"].append({"times": 1, **(await request.json())})
    return web.json_response({"ok": True})


async def _sim_requests(request: web.Request) -> web.Response:
    return web.json_response(request.app["state"]["requests"])


def create_app() -> web.Application:
    app = web.Application()
    app["state"] = {"enterprises": {}, "nonces": {}, "faults": [], "requests": []}
    register(app["state"], DEMO)
    app.router.add_post("/v1/enterprises/lookup", _lookup)
    app.router.add_post("/_sim/enterprises", _sim_register)
    app.router.add_post("/_sim/faults", _sim_faults)
    app.router.add_get("/_sim/requests", _sim_requests)
    return app


def zsb_settings(base_url: str) -> dict[str, str]:
    return {"registry_api_base": base_url, "registry_app_id": APP_ID,
            "registry_app_secret": APP_SECRET}
