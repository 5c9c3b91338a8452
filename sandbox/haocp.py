"""Simulator of the provincial 政务服务"好差评" system (``docs/haocp-and-12345.md``).

It checks every request's ``X-Gov-*`` signature (HMAC-SHA256 over method, path, timestamp,
nonce and the body's SHA-256), refuses stale timestamps and reused nonces, keeps evaluations,
整改 and 申诉 outcomes by their ids, and answers a ``reportKey`` it holds with the same receipt
and ``duplicate: true``.

Control: ``POST /_sim/faults`` with ``{"code": "5000", "times": 2}`` (answer that code),
``{"http": 503, "times": 1}`` (an HTTP error) or ``{"delay": 2.0}``; ``{"clear": true}``
removes them. ``GET /_sim/state`` shows what it holds and every request it answered.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from aiohttp import web

APPID = "sim-haocp-app"
SECRET = "sim-haocp-secret"
SKEW = 300
LEVELS = {1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"}
REQUIRED = {
    "/api/v1/evaluations": ("reportKey", "evaluationId", "version", "projectNo", "deptCode",
                            "level", "channel", "evaluatedAt", "contentVersion"),
    "/api/v1/rectifications": ("reportKey", "evaluationId", "rectificationId", "state",
                               "openedAt", "dueDate"),
    "/api/v1/appeals": ("reportKey", "evaluationId", "appealId", "decision", "decidedAt"),
}


def _answer(code: str, message: str, status: int = 200, **data: Any) -> web.Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if data:
        body["data"] = data
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _signature(method: str, path: str, ts: str, nonce: str, body: bytes) -> str:
    text = f"{method}\n{path}\n{ts}\n{nonce}\n{hashlib.sha256(body).hexdigest()}\n"
    return base64.b64encode(hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).digest()
                            ).decode()


def _check(request: web.Request, body: bytes) -> web.Response | None:
    """None when the request is signed by us, fresh and new; the refusal otherwise."""
    h = request.headers
    appid, ts, nonce = h.get("X-Gov-Appid", ""), h.get("X-Gov-Timestamp", ""), h.get(
        "X-Gov-Nonce", "")
    if appid != APPID:
        return _answer("1004", "未登记的接入方", 401)
    expected = _signature(request.method, request.path_qs, ts, nonce, body)
    if not ts.isdigit() or not hmac.compare_digest(h.get("X-Gov-Signature", ""), expected):
        return _answer("1001", "签名错误", 401)
    if abs(time.time() - int(ts)) > SKEW:
        return _answer("1002", "时间戳超出允许范围", 401)
    seen: dict[str, float] = request.app["state"]["nonces"]
    for old in [n for n, at in seen.items() if at < time.time() - 2 * SKEW]:
        del seen[old]
    if nonce in seen:
        return _answer("1003", "请求重复（nonce 已使用）", 401)
    seen[nonce] = time.time()
    return None


def _fault(state: dict[str, Any]) -> web.Response | None:
    if not state["faults"]:
        return None
    fault = state["faults"][0]
    fault["times"] -= 1
    if fault["times"] <= 0:
        state["faults"].pop(0)
    if fault.get("http"):
        return web.Response(status=int(fault["http"]), text="service unavailable")
    return _answer(str(fault["code"]), fault.get("message", "模拟故障"))


async def receive(request: web.Request) -> web.Response:
    state = request.app["state"]
    if state["delay"]:
        await asyncio.sleep(state["delay"])
    body = await request.read()
    refusal = _check(request, body)
    record: dict[str, Any] = {"path": request.path,
                              "key": request.headers.get("Idempotency-Key")}
    state["requests"].append(record)
    if refusal is not None:
        record["answer"] = refusal.status
        return refusal
    if (fault := _fault(state)) is not None:
        record["answer"] = "fault"
        return fault
    try:
        doc = json.loads(body)
    except ValueError:
        return _answer("2001", "报文不是合法的 JSON")
    missing = [f for f in REQUIRED[request.path] if doc.get(f) in (None, "")]
    if missing:
        return _answer("2001", f"缺少字段：{','.join(missing)}")
    key = str(doc["reportKey"])
    if key in state["receipts"]:
        record["answer"] = "duplicate"
        return _answer("0", "成功", receiptNo=state["receipts"][key], duplicate=True)
    answer = _store(state, request.path, doc)
    if answer is not None:
        record["answer"] = "refused"
        return answer
    receipt = f"HCP{uuid.uuid4().hex[:16].upper()}"
    state["receipts"][key] = receipt
    record["answer"] = "stored"
    return _answer("0", "成功", receiptNo=receipt, duplicate=False)


def _store(state: dict[str, Any], path: str, doc: dict[str, Any]) -> web.Response | None:
    evaluations: dict[str, dict[str, Any]] = state["evaluations"]
    eid = str(doc["evaluationId"])
    if path.endswith("/evaluations"):
        if int(doc["level"]) not in LEVELS or LEVELS[int(doc["level"])] != doc.get("levelName"):
            return _answer("2001", "评价等级不正确")
        held = evaluations.get(eid)
        if held is not None and int(held["version"]) > int(doc["version"]):
            return _answer("2003", "已有更新版本的评价")
        evaluations[eid] = doc
        return None
    if eid not in evaluations:
        return _answer("2002", "评价不存在")
    if path.endswith("/rectifications"):
        state["rectifications"].setdefault(str(doc["rectificationId"]), []).append(doc)
    else:
        state["appeals"][str(doc["appealId"])] = doc
        if doc["decision"] == "upheld":
            evaluations[eid] = {**evaluations[eid], "valid": False}
    return None


async def set_faults(request: web.Request) -> web.Response:
    data = await request.json()
    state = request.app["state"]
    if data.get("clear"):
        state["faults"].clear()
        state["delay"] = 0.0
    if "delay" in data:
        state["delay"] = float(data["delay"])
    if data.get("code") or data.get("http"):
        state["faults"].append({"times": int(data.get("times", 1)), **data})
    return web.json_response({"ok": True})


async def show_state(request: web.Request) -> web.Response:
    s = request.app["state"]
    view = {k: s[k] for k in ("evaluations", "rectifications", "appeals", "receipts", "requests")}
    return web.json_response(view, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def create_app() -> web.Application:
    app = web.Application()
    app["state"] = {"evaluations": {}, "rectifications": {}, "appeals": {}, "receipts": {},
                    "requests": [], "nonces": {}, "faults": [], "delay": 0.0}
    for path in REQUIRED:
        app.router.add_post(path, receive)
    app.router.add_post("/_sim/faults", set_faults)
    app.router.add_get("/_sim/state", show_state)
    return app


def zsb_settings(base_url: str) -> dict[str, str]:
    return {"haocp_api_base": base_url, "haocp_app_id": APPID, "haocp_secret": SECRET}
