"""Simulator of the 12345 hotline system (``docs/haocp-and-12345.md``).

It dispatches tickets to our server (``POST <server>/callbacks/hotline``, signed with
``X-Gov-*`` headers), takes our replies (``POST /api/v1/tickets/<ticketNo>/replies``, whose
signature it checks) and reports the caller's verdict after its return call (回访).

Control (JSON):
- ``POST /_sim/dispatch`` ``{typeCode, title, content, callerName?, callerPhone?, deptCode?,
  caseNo?, itemCode?, anonymous?, limitDays?, ticketNo?, fault?}`` sends one dispatch and
  answers ``{ticketNo, dispatchId, answers: [...]}``. ``fault``: ``forge`` (signed with a wrong
  secret), ``stale`` (a timestamp 10 minutes old), ``replay`` (the very same signed request
  twice), ``redeliver`` (the same dispatch again with a fresh signature, as after a lost
  answer), ``tamper`` (the body changed after signing).
- ``POST /_sim/feedback`` ``{ticketNo, satisfied, comment?, fault?}``: the return call's verdict.
- ``POST /_sim/faults`` ``{"code": "5000", "times": 1}`` / ``{"http": 503}`` for our replies.
- ``GET /_sim/state``: tickets, replies received, callbacks sent and their answers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

PEER_ID = "sim-12345"  # the hotline's id on what it sends
ZSB_ID = "sim-zsb"  # the id it gave us, on what we send
SECRET = "sim-hotline-secret"
SKEW = 300
CALLBACK_PATH = "/callbacks/hotline"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _sign(secret: str, method: str, path: str, ts: str, nonce: str, body: bytes) -> str:
    text = f"{method}\n{path}\n{ts}\n{nonce}\n{hashlib.sha256(body).hexdigest()}\n"
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()
                            ).decode()


def _headers(body: bytes, *, secret: str = SECRET, ts: int | None = None) -> dict[str, str]:
    stamp, nonce = str(ts or int(time.time())), secrets.token_hex(16)
    return {"X-Gov-Appid": PEER_ID, "X-Gov-Timestamp": stamp, "X-Gov-Nonce": nonce,
            "X-Gov-Signature": _sign(secret, "POST", CALLBACK_PATH, stamp, nonce, body),
            "Content-Type": "application/json; charset=utf-8"}


def _answer(code: str, message: str, status: int = 200, **data: Any) -> web.Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if data:
        body["data"] = data
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def _post(app: web.Application, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    url = str(app.get("zsb_base_url") or "http://127.0.0.1:8000") + CALLBACK_PATH
    try:
        async with app["http"].post(url, data=body, headers=headers) as resp:
            text = await resp.text()
            try:
                parsed: Any = json.loads(text)
            except ValueError:
                parsed = text
            return {"http": resp.status, "body": parsed}
    except (aiohttp.ClientError, TimeoutError) as exc:
        return {"error": repr(exc)}


async def _send(app: web.Application, doc: dict[str, Any], fault: str | None
                ) -> list[dict[str, Any]]:
    body = json.dumps(doc, ensure_ascii=False).encode()
    headers = _headers(body, secret="not-the-secret" if fault == "forge" else SECRET,
                       ts=int(time.time()) - 600 if fault == "stale" else None)
    sent = body.replace(b"}", b',"extra":1}') if fault == "tamper" else body
    answers = [await _post(app, sent, headers)]
    if fault == "replay":
        answers.append(await _post(app, body, headers))
    elif fault == "redeliver":
        answers.append(await _post(app, body, _headers(body)))
    app["state"]["callbacks"].append({"doc": doc, "fault": fault, "answers": answers})
    return answers


async def dispatch(request: web.Request) -> web.Response:
    data = await request.json()
    state = request.app["state"]
    ticket_no = str(data.get("ticketNo") or f"12345-{datetime.now(SHANGHAI):%Y%m%d}-"
                    f"{len(state['tickets']) + 1:05d}{uuid.uuid4().hex[:4]}")
    doc = {"event": "dispatch", "dispatchId": f"PD{uuid.uuid4().hex[:20].upper()}",
           "ticketNo": ticket_no, "typeCode": data.get("typeCode", "02"),
           "title": data.get("title", "办事窗口服务态度差"),
           "content": data.get("content", "来电人反映在窗口办事时工作人员态度不好。"),
           "callerName": data.get("callerName"), "callerPhone": data.get("callerPhone"),
           "anonymous": bool(data.get("anonymous")), "deptCode": data.get("deptCode"),
           "caseNo": data.get("caseNo"), "itemCode": data.get("itemCode"),
           "limitDays": data.get("limitDays"),
           "dispatchedAt": datetime.now(SHANGHAI).isoformat(timespec="seconds")}
    state["tickets"][ticket_no] = {"doc": doc, "replies": [], "state": "dispatched"}
    answers = await _send(request.app, doc, data.get("fault"))
    return web.json_response({"ticketNo": ticket_no, "dispatchId": doc["dispatchId"],
                              "answers": answers},
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def feedback(request: web.Request) -> web.Response:
    data = await request.json()
    doc = {"event": "feedback", "dispatchId": f"FB{uuid.uuid4().hex[:20].upper()}",
           "ticketNo": data["ticketNo"], "satisfied": bool(data.get("satisfied")),
           "comment": data.get("comment")}
    ticket = request.app["state"]["tickets"].get(data["ticketNo"])
    if ticket is not None:
        ticket["state"] = "visited"
    answers = await _send(request.app, doc, data.get("fault"))
    return web.json_response({"dispatchId": doc["dispatchId"], "answers": answers},
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _check(request: web.Request, body: bytes) -> web.Response | None:
    h = request.headers
    ts, nonce = h.get("X-Gov-Timestamp", ""), h.get("X-Gov-Nonce", "")
    if h.get("X-Gov-Appid") != ZSB_ID:
        return _answer("1004", "未登记的接入方", 401)
    expected = _sign(SECRET, request.method, request.path_qs, ts, nonce, body)
    if not ts.isdigit() or not hmac.compare_digest(h.get("X-Gov-Signature", ""), expected):
        return _answer("1001", "签名错误", 401)
    if abs(time.time() - int(ts)) > SKEW:
        return _answer("1002", "时间戳超出允许范围", 401)
    seen: set[str] = request.app["state"]["nonces"]
    if nonce in seen:
        return _answer("1003", "请求重复", 409)
    seen.add(nonce)
    return None


async def receive_reply(request: web.Request) -> web.Response:
    state = request.app["state"]
    body = await request.read()
    if (refusal := _check(request, body)) is not None:
        return refusal
    if state["faults"]:
        fault = state["faults"][0]
        fault["times"] -= 1
        if fault["times"] <= 0:
            state["faults"].pop(0)
        if fault.get("http"):
            return web.Response(status=int(fault["http"]), text="busy")
        return _answer(str(fault["code"]), "模拟故障")
    doc = json.loads(body)
    ticket = state["tickets"].get(request.match_info["ticket_no"])
    if ticket is None:
        return _answer("2004", "工单不存在")
    key = str(doc.get("replyKey") or "")
    if not key or not doc.get("content"):
        return _answer("2001", "缺少字段")
    if key in state["receipts"]:
        return _answer("0", "成功", receiptNo=state["receipts"][key], duplicate=True)
    state["receipts"][key] = receipt = f"HF{uuid.uuid4().hex[:12].upper()}"
    ticket["replies"].append(doc)
    ticket["state"] = "replied"
    return _answer("0", "成功", receiptNo=receipt, duplicate=False)


async def set_faults(request: web.Request) -> web.Response:
    data = await request.json()
    state = request.app["state"]
    if data.get("clear"):
        state["faults"].clear()
    if data.get("code") or data.get("http"):
        state["faults"].append({"times": int(data.get("times", 1)), **data})
    return web.json_response({"ok": True})


async def show_state(request: web.Request) -> web.Response:
    s = request.app["state"]
    return web.json_response({"tickets": s["tickets"], "callbacks": s["callbacks"]},
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def _session(app: web.Application) -> Any:
    app["http"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
    yield
    await app["http"].close()


def create_app() -> web.Application:
    app = web.Application()
    app["state"] = {"tickets": {}, "callbacks": [], "receipts": {}, "nonces": set(),
                    "faults": []}
    app.cleanup_ctx.append(_session)
    app.router.add_post("/api/v1/tickets/{ticket_no}/replies", receive_reply)
    app.router.add_post("/_sim/dispatch", dispatch)
    app.router.add_post("/_sim/feedback", feedback)
    app.router.add_post("/_sim/faults", set_faults)
    app.router.add_get("/_sim/state", show_state)
    return app


def zsb_settings(base_url: str) -> dict[str, str]:
    return {"hotline_api_base": base_url, "hotline_app_id": ZSB_ID, "hotline_peer_id": PEER_ID,
            "hotline_secret": SECRET}
