"""WeChat Pay API v3 simulator: signed requests in, signed answers out, encrypted notifies.

It checks our ``WECHATPAY2-SHA256-RSA2048`` Authorization header with the merchant public key,
signs every answer with its "platform" key (``Wechatpay-Serial`` = a ``PUB_KEY_ID_…``) and
encrypts notify resources with the APIv3 key (AEAD_AES_256_GCM).

Platform endpoints: ``POST /v3/pay/transactions/{jsapi,app,h5}``, ``GET
/v3/pay/transactions/out-trade-no/{no}``, ``POST …/{no}/close`` (204), ``POST
/v3/refund/domestic/refunds``, ``GET /v3/refund/domestic/refunds/{no}``, ``GET
/v3/bill/tradebill`` and the file it points at.

Control endpoints (JSON):
- ``POST /_sim/pay`` ``{out_trade_no, fault?, copies?, delay?, total?}``: the payer pays; a
  notify goes to the order's notify_url. ``fault``: ``duplicate`` (``copies`` deliveries at
  once), ``wrong_amount`` (the notify says one fen more), ``bad_signature``, ``stale``
  (timestamp 10 minutes old), ``no_amount`` (no ``amount`` in the resource), ``delay``
  (``delay`` seconds first), ``silent`` (no notify).
  ``total`` with an unknown ``out_trade_no`` creates a payment we never ordered.
- ``GET /_sim/cashier?prepay_id=&redirect_url=``: the payment sheet a person sees (the
  ``h5_url`` of an H5 order, or any order's ``prepay_id``); 确认支付 pays as ``/_sim/pay`` does
  and goes back to ``redirect_url``, 取消 goes back unpaid.
- ``POST /_sim/pay_again`` ``{out_trade_no, fault?}``: a second payment (another
  ``transaction_id``) of an order already paid, notified unless ``fault`` is ``silent``.
- ``POST /_sim/build_notify`` ``{out_trade_no, fault?}``: the signed notify for the order's
  current state, answered as ``{headers, body}`` instead of sent (tests and benchmarks).
- ``POST /_sim/tamper`` ``{out_trade_no, total}``: change an order's amount in the bill.
- ``POST /_sim/options`` ``{retry_scale, refund_delay, refund_notify}``; ``GET /_sim/state``.
Unacknowledged notifies are retried on WeChat's schedule multiplied by ``retry_scale``.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import aiohttp
from aiohttp import web

from .cashier import add_cashier
from .platform import _refund_view
from .platform import routes as platform_routes
from .proto import (
    APIV3_KEY,
    KEYS,
    MERCHANT_SERIAL,
    PLATFORM_KEY_ID,
    SIM_APP_APPID,
    SIM_APPID,
    SIM_MCHID,
    _deliver,
    _now_cst,
    _pay_notify,
    auth_middleware,
)

__all__ = ["APIV3_KEY", "KEYS", "MERCHANT_SERIAL", "PLATFORM_KEY_ID", "SIM_APPID",
           "SIM_APP_APPID", "SIM_MCHID", "create_app", "zsb_settings"]
routes = web.RouteTableDef()


def _pay(state: dict[str, Any], body: dict[str, Any]) -> dict[str, Any] | None:
    no = str(body["out_trade_no"])
    order = state["orders"].get(no)
    if order is None and body.get("total"):  # a payment we never ordered
        order = {"out_trade_no": no, "appid": SIM_APPID, "total": int(body["total"]),
                 "notify_url": body.get("notify_url", ""), "trade_type": "JSAPI",
                 "state": "NOTPAY", "openid": "sim-openid", "prepay_id": "", "refunded": 0}
        state["orders"][no] = order
    if order is None:
        return None
    if order["state"] == "NOTPAY":
        order.update(state="SUCCESS", transaction_id="42" + secrets.token_hex(13)[:26],
                     success_time=body.get("success_time") or _now_cst())
    return order


@routes.post("/_sim/pay")
async def sim_pay(request: web.Request) -> web.Response:
    order = pay_and_notify(request.app, await request.json())
    if order is None:
        return web.json_response({"error": "unknown order"}, status=404)
    return web.json_response({"transaction_id": order["transaction_id"]})


def pay_and_notify(app: web.Application, body: dict[str, Any]) -> dict[str, Any] | None:
    """The payer pays (``POST /_sim/pay``, the cashier page): the order turns SUCCESS and its
    notify goes out, shaped by ``fault``; None for an unknown order."""
    order = _pay(app["state"], body)
    if order is None:
        return None
    fault = body.get("fault")
    if fault != "silent" and order["notify_url"]:
        copies = int(body.get("copies", 2)) if fault == "duplicate" else 1
        notify = _pay_notify(order, fault)

        async def send() -> None:
            if fault == "delay":
                await asyncio.sleep(float(body.get("delay", 0.2)))
            await asyncio.gather(*(_deliver(app, order["notify_url"], notify)
                                   for _ in range(copies)))

        app["tasks"].add(asyncio.create_task(send()))
    return order


@routes.post("/_sim/pay_again")
async def sim_pay_again(request: web.Request) -> web.Response:
    """A second, different payment of an order already paid (another transaction_id), as a
    platform fault or a replayed cashier would produce; notified like the first unless
    ``fault`` is ``silent``. Refundable by its ``transaction_id``."""
    body = await request.json()
    state = request.app["state"]
    first = state["orders"].get(str(body["out_trade_no"]))
    if first is None or not first.get("transaction_id"):
        return web.json_response({"error": "order not paid"}, status=409)
    tx = "42" + secrets.token_hex(13)[:26]
    key = f"{first['out_trade_no']}#{tx}"
    order = {**first, "state": "SUCCESS", "refunded": 0, "success_time": _now_cst(),
             "transaction_id": tx, "key": key}
    state["orders"][key] = order
    if body.get("fault") != "silent" and order["notify_url"]:
        request.app["tasks"].add(asyncio.create_task(
            _deliver(request.app, order["notify_url"], _pay_notify(order, None))))
    return web.json_response({"transaction_id": order["transaction_id"]})


@routes.post("/_sim/build_notify")
async def sim_build_notify(request: web.Request) -> web.Response:
    body = await request.json()
    order = request.app["state"]["orders"].get(str(body["out_trade_no"]))
    if order is None:
        return web.json_response({"error": "unknown order"}, status=404)
    return web.json_response(_pay_notify(order, body.get("fault")))


@routes.post("/_sim/tamper")
async def sim_tamper(request: web.Request) -> web.Response:
    body = await request.json()
    request.app["state"]["orders"][str(body["out_trade_no"])]["bill_total"] = int(body["total"])
    return web.json_response({"ok": True})


@routes.post("/_sim/options")
async def sim_options(request: web.Request) -> web.Response:
    request.app["state"]["options"].update(await request.json())
    return web.json_response(request.app["state"]["options"])


@routes.get("/_sim/state")
async def sim_state(request: web.Request) -> web.Response:
    state = request.app["state"]
    return web.json_response({"orders": state["orders"], "notifies": state["notifies"],
                              "refunds": {k: _refund_view(v) for k, v in state["refunds"].items()},
                              "requests": len(state["requests"])})


async def _lifecycle(app: web.Application) -> Any:
    app["http"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
    yield
    for task in app["tasks"]:
        task.cancel()
    await app["http"].close()


def create_app(*, retry_scale: float = 0.001, refund_delay: float = 0.05) -> web.Application:
    app = web.Application(middlewares=[auth_middleware])
    app["state"] = {"orders": {}, "refunds": {}, "notifies": [], "requests": [], "bills": {},
                    "options": {"retry_scale": retry_scale, "refund_delay": refund_delay}}
    app["tasks"] = _TaskSet()
    app.add_routes(platform_routes)
    app.add_routes(routes)
    add_cashier(app, pay_and_notify)
    app.cleanup_ctx.append(_lifecycle)
    return app


class _TaskSet(set):  # type: ignore[type-arg]
    """Keeps background tasks referenced until done."""

    def add(self, task: asyncio.Task[Any]) -> None:  # type: ignore[override]
        super().add(task)
        task.add_done_callback(self.discard)


def zsb_settings(base_url: str) -> dict[str, str]:
    return {
        "wechatpay_api_base": base_url,
        "wechatpay_mchid": SIM_MCHID,
        "wechatpay_appid": SIM_APPID,
        "wechatpay_app_appid": SIM_APP_APPID,
        "wechatpay_serial_no": MERCHANT_SERIAL,
        "wechatpay_private_key_file": str(KEYS / "wechatpy_apiclient_key.pem"),
        "wechatpay_apiv3_key": APIV3_KEY,
        "wechatpay_platform_public_key_file": str(KEYS / "wxpay_platform_public_key.pem"),
        "wechatpay_platform_key_id": PLATFORM_KEY_ID,
    }

