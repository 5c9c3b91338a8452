"""EMS-style carrier order API simulator (SF 丰桥 envelope, see channels/express/carrier.py).

``POST /std/service`` checks ``partnerID`` and ``msgDigest``, then serves
``EXP_RECE_CREATE_ORDER`` (a waybill per ``orderId``; the same id twice answers the same
waybill) and ``EXP_RECE_UPDATE_ORDER`` with ``dealType=2`` (cancel). ``POST /_sim/options``
``{"fail": "A1002"}`` makes every call fail with that code; ``GET /_sim/state`` lists orders.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from typing import Any
from urllib.parse import quote_plus

from aiohttp import web

SIM_PARTNER = "ZSB_SIM"
SIM_CHECK_WORD = "sim-carrier-check-word"

routes = web.RouteTableDef()


def _digest(msg: str, ts: str) -> str:
    encoded = quote_plus(msg + ts + SIM_CHECK_WORD, safe="*").replace("~", "%7E")
    return base64.b64encode(hashlib.md5(encoded.encode(), usedforsecurity=False).digest()).decode()


def _envelope(code: str, msg: str = "", data: dict[str, Any] | None = None) -> web.Response:
    return web.json_response(
        {
            "apiResultCode": code,
            "apiErrorMsg": msg,
            "apiResponseID": "SIM",
            "apiResultData": json.dumps(data, ensure_ascii=False) if data is not None else None,
        }
    )


@routes.post("/std/service")
async def service(request: web.Request) -> web.Response:
    state = request.app["state"]
    form = await request.post()
    state["requests"].append(dict(form))
    if state["options"].get("fail"):
        return _envelope(state["options"]["fail"], "模拟故障")
    if form.get("partnerID") != SIM_PARTNER:
        return _envelope("A1001", "合作伙伴编码不存在")
    msg, ts = str(form.get("msgData") or ""), str(form.get("timestamp") or "")
    if form.get("msgDigest") != _digest(msg, ts):
        return _envelope("A1006", "数字签名无效")
    data = json.loads(msg)
    order_id = str(data.get("orderId") or "")
    if not order_id:
        return _envelope(
            "A1000", data={"success": False, "errorCode": "1010", "errorMsg": "订单号不能为空"}
        )
    if form.get("serviceCode") == "EXP_RECE_CREATE_ORDER":
        order = state["orders"].get(order_id)
        if order is None:
            order = {"waybill_no": f"11{next(state['seq']):011d}", "data": data, "cancelled": False}
            state["orders"][order_id] = order
        return _envelope(
            "A1000",
            data={
                "success": True,
                "errorCode": "S0000",
                "errorMsg": None,
                "msgData": {
                    "orderId": order_id,
                    "waybillNoInfoList": [{"waybillType": 1, "waybillNo": order["waybill_no"]}],
                },
            },
        )
    if form.get("serviceCode") == "EXP_RECE_UPDATE_ORDER":
        if order_id not in state["orders"]:
            return _envelope(
                "A1000",
                data={"success": False, "errorCode": "8018", "errorMsg": "未获取到订单信息"},
            )
        state["orders"][order_id]["cancelled"] = data.get("dealType") == 2
        return _envelope(
            "A1000", data={"success": True, "errorCode": "S0000", "msgData": {"orderId": order_id}}
        )
    return _envelope("A1004", "无对应服务权限")


@routes.post("/_sim/options")
async def options(request: web.Request) -> web.Response:
    request.app["state"]["options"].update(await request.json())
    return web.json_response(request.app["state"]["options"])


@routes.get("/_sim/state")
async def sim_state(request: web.Request) -> web.Response:
    orders = request.app["state"]["orders"]
    return web.json_response({"orders": orders})


def create_app() -> web.Application:
    app = web.Application()
    app["state"] = {
        "orders": {},
        "requests": [],
        "options": {},
        "seq": itertools.count(80_000_000_001),
    }
    app.add_routes(routes)
    return app


def zsb_settings(base_url: str) -> dict[str, str]:
    return {
        "carrier_api_base": base_url,
        "carrier_partner_id": SIM_PARTNER,
        "carrier_check_word": SIM_CHECK_WORD,
    }
