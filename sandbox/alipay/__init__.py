"""Alipay open-platform gateway simulator.

Gateway: ``POST|GET /gateway.do`` — RSA2-verifies the caller with the app public key (the
fzlee test key pair), answers signed with a separate "Alipay" test key pair
(``sandbox/keys/alipay_platform_*.pem``). Methods: oauth token, user info share, trade
create / query / close / refund, refund query, bill download URL, mini-program template message.

Control (JSON in, JSON out):
- ``POST /_sim/oauth/code {user_id?, open_id?, nick_name?, user_name?, cert_no?, is_certified?,
  mobile?}`` → ``{"auth_code", "user_id"|"open_id"}``: a single-use code for that identity; the
  fields answer ``alipay.user.info.share`` for the token it is exchanged for.
- ``POST /_sim/pay {out_trade_no, buyer_id?}`` or ``{order_string}`` (an app-pay order string):
  the buyer pays; a signed notify goes to the trade's notify_url (its host replaced by
  ``app["zsb_base_url"]`` when the harness set one) and is retried on Alipay's schedule
  (4m, 10m, 10m, 1h, 2h, 6h, 15h) × ``time_scale`` (default 0.001: 0.24 s … 54 s) until
  answered with exactly ``success``.
- ``POST /_sim/pay_again {out_trade_no}``: a second payment (another trade_no) of a paid
  out_trade_no, notified and refundable by its trade_no.
- ``POST /_sim/trade {out_trade_no, total_amount}``: a paid trade we never created (bill only).
- ``POST /_sim/faults {duplicate_notify, notify_delay, wrong_amount, bad_notify_sign,
  bad_response_sign}``; ``POST /_sim/config {time_scale}``;
  ``POST /_sim/fail {method, code, sub_code, sub_msg, times}`` scripts gateway errors.
- ``GET /_sim/state``: trades, notify attempts, sent messages.
- ``GET /_sim/bill/<token>``: the bill zip (format in ``notify.py``).
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, fields
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web

from .gateway import HANDLERS, gateway
from .notify import bill_zip, schedule_notify, to_jsonable
from .state import (
    APP_ID,
    APP_PRIVATE_KEY,
    PLATFORM_PUBLIC_KEY,
    SELLER_ID,
    AlipaySimState,
    Faults,
    Trade,
    request_content,
    verify,
)

__all__ = ["HANDLERS", "AlipaySimState", "create_app", "zsb_settings"]


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(
        d, ensure_ascii=False, default=to_jsonable))


def _state(request: web.Request) -> AlipaySimState:
    return request.app["state"]


def _user_id() -> str:
    return "2088" + "".join(random.choices("0123456789", k=12))


async def issue_code(request: web.Request) -> web.Response:
    state = _state(request)
    who: dict[str, Any] = await request.json() if request.can_read_body else {}
    if not who.get("open_id"):
        who.setdefault("user_id", _user_id())
    who.setdefault("nick_name", "支付宝用户")
    code = f"auth{random.getrandbits(96):024x}"
    state.codes[code] = who
    return _json({"auth_code": code, **{k: who[k] for k in ("user_id", "open_id") if k in who}})


def _trade_from_order_string(state: AlipaySimState, order_string: str) -> Trade | None:
    params = dict(parse_qsl(order_string, keep_blank_values=True))
    if params.get("app_id") != state.app_id or not verify(
        state.app_public_key, request_content(params), params.get("sign", "")
    ):
        return None
    biz = json.loads(params["biz_content"])
    trade = state.trades.get(biz["out_trade_no"])
    if trade is None:
        trade = Trade(biz["out_trade_no"], state.new_trade_no(), biz["total_amount"],
                      biz["subject"], None, None, params.get("notify_url"),
                      biz.get("product_code", ""))
        state.trades[trade.out_trade_no] = trade
    return trade


async def pay(request: web.Request) -> web.Response:
    state = _state(request)
    data = await request.json()
    if data.get("order_string"):
        trade = _trade_from_order_string(state, data["order_string"])
        if trade is None:
            return _json({"error": "order string signature does not verify"}, 400)
    else:
        trade = state.trades.get(data.get("out_trade_no", ""))
        if trade is None:
            return _json({"error": "no such trade"}, 404)
    if trade.status != "WAIT_BUYER_PAY":
        return _json({"error": f"trade is {trade.status}"}, 409)
    if trade.buyer_id is None and trade.buyer_open_id is None:
        trade.buyer_id = data.get("buyer_id") or _user_id()
    trade.status, trade.paid_at = "TRADE_SUCCESS", datetime.now(UTC)
    schedule_notify(request.app, trade)
    return _json({"trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no})


async def pay_again(request: web.Request) -> web.Response:
    """A second, different payment (another trade_no) of an out_trade_no already paid; it is
    notified like the first and refundable by its trade_no."""
    state = _state(request)
    data = await request.json()
    first = state.trades.get(data.get("out_trade_no", ""))
    if first is None or first.status == "WAIT_BUYER_PAY":
        return _json({"error": "trade not paid"}, 409)
    again = Trade(first.out_trade_no, state.new_trade_no(), first.total_amount, first.subject,
                  first.buyer_id, first.buyer_open_id, first.notify_url, first.product_code,
                  status="TRADE_SUCCESS", paid_at=datetime.now(UTC))
    state.trades[f"{first.out_trade_no}#{again.trade_no}"] = again
    schedule_notify(request.app, again)
    return _json({"trade_no": again.trade_no, "out_trade_no": again.out_trade_no})


async def add_trade(request: web.Request) -> web.Response:
    state = _state(request)
    data = await request.json()
    trade = Trade(data["out_trade_no"], state.new_trade_no(), data["total_amount"],
                  data.get("subject", "外部交易"), _user_id(), None, None, "JSAPI_PAY",
                  status="TRADE_SUCCESS", paid_at=datetime.now(UTC))
    state.trades[trade.out_trade_no] = trade
    return _json({"trade_no": trade.trade_no})


async def set_faults(request: web.Request) -> web.Response:
    state = _state(request)
    data = await request.json()
    names = {f.name for f in fields(Faults)}
    state.faults = Faults(**{**asdict(state.faults), **{k: data[k] for k in data if k in names}})
    return _json(asdict(state.faults))


async def set_config(request: web.Request) -> web.Response:
    state = _state(request)
    data = await request.json()
    state.time_scale = float(data.get("time_scale", state.time_scale))
    return _json({"time_scale": state.time_scale})


async def script_failure(request: web.Request) -> web.Response:
    data = await request.json()
    err = {
        "code": str(data.get("code", "20000")),
        "sub_code": data.get("sub_code", "isp.unknow-error"),
        "sub_msg": data.get("sub_msg", "系统繁忙"),
    }
    queue = _state(request).fail_next.setdefault(data["method"], [])
    queue.extend([err] * int(data.get("times", 1)))
    return _json({"ok": True})


async def show_state(request: web.Request) -> web.Response:
    state = _state(request)
    return _json({
        "trades": {k: {**asdict(t), "refunds": list(t.refunds)} for k, t in state.trades.items()},
        "notifies": [{k: v for k, v in n.items() if k != "params"} for n in state.notifies],
        "messages": state.messages,
    })


async def bill(request: web.Request) -> web.Response:
    state = _state(request)
    bill_date = state.bills.get(request.match_info["token"])
    if bill_date is None:
        return web.Response(status=404, text="expired")
    return web.Response(body=bill_zip(state, bill_date), content_type="application/zip")


async def _http_ctx(app: web.Application) -> Any:
    app["http"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
    yield
    for task in list(app["state"].tasks):
        task.cancel()
    await app["http"].close()


def create_app(*, time_scale: float = 0.001) -> web.Application:
    app = web.Application()
    app["state"] = AlipaySimState(time_scale=time_scale)
    app.cleanup_ctx.append(_http_ctx)
    app.router.add_route("*", "/gateway.do", gateway)
    app.router.add_post("/_sim/oauth/code", issue_code)
    app.router.add_post("/_sim/pay", pay)
    app.router.add_post("/_sim/pay_again", pay_again)
    app.router.add_post("/_sim/trade", add_trade)
    app.router.add_post("/_sim/faults", set_faults)
    app.router.add_post("/_sim/config", set_config)
    app.router.add_post("/_sim/fail", script_failure)
    app.router.add_get("/_sim/state", show_state)
    app.router.add_get("/_sim/bill/{token}", bill)
    return app


def zsb_settings(base_url: str) -> dict[str, str]:
    return {
        "alipay_gateway": f"{base_url}/gateway.do",
        "alipay_app_id": APP_ID,
        "alipay_seller_id": SELLER_ID,
        "alipay_private_key_file": str(APP_PRIVATE_KEY),
        "alipay_public_key_file": str(PLATFORM_PUBLIC_KEY),
    }
