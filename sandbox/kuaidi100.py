"""kuaidi100 simulator: poll subscription, real-time query and signed pushes on a script.

Control endpoints (JSON):
- ``POST /_sim/push`` ``{company, number, state, context?, area?, time?, status?, fault?,
  corrected_company?}`` adds one trace line and pushes the signed snapshot to the
  subscription's callback URL (``corrected_company``: reported under that carrier code, with
  ``autoCheck`` 1 and ``comOld``/``comNew``, as kuaidi100 does). ``fault``:
  ``bad_sign`` (signed with a wrong salt), ``duplicate`` (pushed twice), ``drop`` (recorded but
  never pushed: polling must catch it), ``out_of_order`` (the newest snapshot, then a stale one),
  ``abort`` (status abort, "3天查询无记录": the subscription ends).
- ``POST /_sim/script`` ``{company, number, steps: [<push body>…]}`` runs several pushes in order.
- ``POST /_sim/options`` ``{retries, retry_interval, subscribe_code, query_code}``.
- ``GET /_sim/state`` subscriptions, pushes made and their answers.
A push not answered ``{"result": true, "returnCode": "200"}`` is retried ``retries`` times,
``retry_interval`` seconds apart (30 min at kuaidi100, time-compressed here).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

SIM_KEY = "sim-kuaidi100-key"
SIM_CUSTOMER = "SIMCUSTOMER"
SIM_SALT = "sim-kuaidi100-salt"
SHANGHAI = ZoneInfo("Asia/Shanghai")
STATE_NAMES = {
    "0": "在途",
    "1": "揽收",
    "2": "疑难",
    "3": "签收",
    "4": "退签",
    "5": "派件",
    "6": "退回",
    "7": "转投",
    "14": "拒签",
}
DEFAULT_CONTEXT = {
    "0": "快件已到达【北京处理中心】",
    "1": "【北京市政务服务中心】已收寄，揽投员：王师傅",
    "2": "快件地址不详，联系收件人未果",
    "3": "已签收，签收人：本人",
    "4": "退件已由寄件人签收",
    "5": "快件正在派送中，投递员：李师傅，电话：95***",
    "6": "收件人拒收，快件退回中",
    "7": "快件已转投至新地址",
    "14": "收件人拒签",
}

routes = web.RouteTableDef()


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest().upper()


def _answer(ok: bool, code: str, message: str) -> web.Response:
    return web.json_response({"result": ok, "returnCode": code, "message": message})


def _track(state: dict[str, Any], company: str, number: str) -> dict[str, Any]:
    return state["tracks"].setdefault(
        (company, number), {"com": company, "nu": number, "state": "0", "data": []}
    )


@routes.post("/poll")
async def subscribe(request: web.Request) -> web.Response:
    state = request.app["state"]
    form = await request.post()
    state["requests"].append({"path": "/poll", "form": dict(form)})
    if state["options"].get("subscribe_code"):
        return _answer(False, state["options"]["subscribe_code"], "模拟错误")
    if form.get("schema") != "json":
        return _answer(False, "700", "schema 必须为 json")
    try:
        param = json.loads(str(form.get("param") or ""))
    except ValueError:
        return _answer(False, "700", "订阅参数错误")
    if param.get("key") != SIM_KEY:
        return _answer(False, "600", "您不是合法的订阅者（即授权Key出错）")
    params = param.get("parameters") or {}
    if not param.get("company") or not param.get("number") or not params.get("callbackurl"):
        return _answer(False, "700", "订阅参数错误")
    key = (param["company"], param["number"])
    sub = state["subscriptions"].get(key)
    if sub and sub["active"]:
        return _answer(False, "501", "重复订阅")
    state["subscriptions"][key] = {
        "callbackurl": params["callbackurl"],
        "salt": params.get("salt") or "",
        "phone": params.get("phone") or "",
        "active": True,
        "count": (sub["count"] + 1) if sub else 1,
    }
    _track(state, *key)
    return _answer(True, "200", "提交成功")


@routes.post("/poll/query.do")
async def query(request: web.Request) -> web.Response:
    state = request.app["state"]
    form = await request.post()
    state["requests"].append({"path": "/poll/query.do", "form": dict(form)})
    state["query_count"] += 1
    param = str(form.get("param") or "")
    if form.get("customer") != SIM_CUSTOMER:
        return _answer(False, "400", "customer 错误")
    if form.get("sign") != _md5(param + SIM_KEY + SIM_CUSTOMER):
        return _answer(False, "503", "验证签名失败")
    if state["options"].get("query_code"):
        return _answer(False, state["options"]["query_code"], "模拟错误")
    body = json.loads(param)
    track = state["tracks"].get((body.get("com"), body.get("num")))
    if not track or not track["data"]:
        return _answer(False, "500", "查询无结果，请隔段时间再查")
    return web.json_response(_snapshot(track) | {"status": "200", "message": "ok"})


def _snapshot(track: dict[str, Any], upto: int | None = None) -> dict[str, Any]:
    data = track["data"] if upto is None else track["data"][:upto]
    state = data[-1]["statusCode"] if data else "0"
    return {
        "message": "ok",
        "state": state,
        "status": "200",
        "condition": "F00",
        "ischeck": "1" if state == "3" else "0",
        "com": track["com"],
        "nu": track["nu"],
        "data": list(reversed(data)),  # newest first, as kuaidi100 sends it
    }


def _add_event(app: web.Application, body: dict[str, Any]) -> dict[str, Any]:
    track = _track(app["state"], body["company"], body["number"])
    code = str(body.get("state", "0"))
    if body.get("time"):
        when = str(body["time"])
    else:
        app["state"]["clock"] += timedelta(minutes=7)
        when = app["state"]["clock"].strftime("%Y-%m-%d %H:%M:%S")
    track["data"].append(
        {
            "context": body.get("context") or DEFAULT_CONTEXT.get(code, "快件在途"),
            "time": when,
            "ftime": when,
            "status": STATE_NAMES.get(code, "在途"),
            "statusCode": code,
            "areaCode": None,
            "areaName": body.get("area") or "北京市,朝阳区",
        }
    )
    return track


async def _deliver(
    app: web.Application, key: tuple[str, str], payload: dict[str, Any], *, salt: str | None = None
) -> dict[str, Any]:
    """POST one signed push; retry while it is not acknowledged."""
    sub = app["state"]["subscriptions"][key]
    param = json.dumps(payload, ensure_ascii=False)
    form = {"param": param, "sign": _md5(param + (sub["salt"] if salt is None else salt))}
    url = sub["callbackurl"]
    if app.get("zsb_base_url"):  # reach our server wherever the harness put it
        base = urlsplit(app["zsb_base_url"])
        url = urlunsplit(urlsplit(url)._replace(scheme=base.scheme, netloc=base.netloc))
    opts = app["state"]["options"]
    record: dict[str, Any] = {
        "number": key[1],
        "status": payload["status"],
        "attempts": 0,
        "acked": False,
        "answers": [],
    }
    app["state"]["pushes"].append(record)
    for attempt in range(1 + int(opts["retries"])):
        if attempt:
            await asyncio.sleep(float(opts["retry_interval"]))
        record["attempts"] += 1
        try:
            async with app["state"]["http"].post(url, data=form) as resp:
                text = await resp.text()
            record["answers"].append({"http": resp.status, "body": text})
            answer = json.loads(text)
            if answer.get("result") is True and str(answer.get("returnCode")) == "200":
                record["acked"] = True
                break
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            record["answers"].append({"error": repr(exc)})
    return record


async def _push(app: web.Application, body: dict[str, Any]) -> dict[str, Any]:
    key = (body["company"], body["number"])
    sub = app["state"]["subscriptions"].get(key)
    fault = body.get("fault")
    if fault == "abort":
        track = _track(app["state"], *key)
        payload = {
            "status": "abort",
            "billstatus": "",
            "message": "3天查询无记录",
            "autoCheck": "0",
            "comOld": "",
            "comNew": "",
            "lastResult": _snapshot(track),
        }
        if sub:
            sub["active"] = False
            return {"pushes": [await _deliver(app, key, payload)]}
        return {"pushes": []}
    track = _add_event(app, body)
    if not sub or not sub["active"] or fault == "drop":
        return {"pushes": []}
    status = body.get("status") or (
        "shutdown" if track["data"][-1]["statusCode"] in ("3", "4") else "polling"
    )
    payload = {
        "status": status,
        "billstatus": "got",
        "message": "",
        "autoCheck": "0",
        "comOld": "",
        "comNew": "",
        "lastResult": _snapshot(track),
    }
    if body.get("corrected_company"):  # kuaidi100 judged the waybill another carrier's
        payload.update(autoCheck="1", comOld=key[0], comNew=body["corrected_company"])
        payload["lastResult"] = {**payload["lastResult"], "com": body["corrected_company"]}
    pushes = [await _deliver(app, key, payload, salt="forged" if fault == "bad_sign" else None)]
    if fault == "duplicate":
        pushes.append(await _deliver(app, key, payload))
    if fault == "out_of_order" and len(track["data"]) > 1:
        stale = dict(payload, status="polling", lastResult=_snapshot(track, -1))
        pushes.append(await _deliver(app, key, stale))
    if status == "shutdown":
        sub["active"] = False
    return {"pushes": pushes}


@routes.post("/_sim/push")
async def sim_push(request: web.Request) -> web.Response:
    return web.json_response(await _push(request.app, await request.json()))


@routes.post("/_sim/script")
async def sim_script(request: web.Request) -> web.Response:
    body = await request.json()
    results = []
    for step in body["steps"]:
        results.append(
            await _push(request.app, {**step, "company": body["company"], "number": body["number"]})
        )
    return web.json_response({"steps": results})


@routes.post("/_sim/options")
async def sim_options(request: web.Request) -> web.Response:
    request.app["state"]["options"].update(await request.json())
    return web.json_response(request.app["state"]["options"])


@routes.get("/_sim/state")
async def sim_state(request: web.Request) -> web.Response:
    state = request.app["state"]
    subs = {f"{c}:{n}": v for (c, n), v in state["subscriptions"].items()}
    return web.json_response(
        {"subscriptions": subs, "pushes": state["pushes"], "query_count": state["query_count"]}
    )


async def _open_http(app: web.Application) -> Any:
    app["state"]["http"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
    yield
    await app["state"]["http"].close()


def create_app(*, retries: int = 3, retry_interval: float = 0.05) -> web.Application:
    app = web.Application()
    app["state"] = {
        "subscriptions": {},
        "tracks": {},
        "pushes": [],
        "requests": [],
        "query_count": 0,
        "options": {"retries": retries, "retry_interval": retry_interval},
    }
    # trace times run on their own clock, a little in the past and strictly increasing
    app["state"]["clock"] = datetime.now(SHANGHAI).replace(microsecond=0) - timedelta(days=2)
    app.cleanup_ctx.append(_open_http)
    app.add_routes(routes)
    return app


def zsb_settings(base_url: str) -> dict[str, str]:
    return {
        "kuaidi100_api_base": base_url,
        "kuaidi100_key": SIM_KEY,
        "kuaidi100_customer": SIM_CUSTOMER,
        "kuaidi100_salt": SIM_SALT,
    }
