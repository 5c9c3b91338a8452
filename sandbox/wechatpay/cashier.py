"""The payment sheet (收银台) of the WeChat Pay simulator, for a person in a browser.

WeChat Pay H5 sends the browser to ``h5_url``; inside WeChat the JSAPI sheet is drawn by the
WeChat client. Here both are one page: the order, its amount, 确认支付 and 取消. Paying is
what ``POST /_sim/pay`` does (the notify goes to our server); then the page returns to the
``redirect_url`` the merchant added, as WeChat's cashier does.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .proto import SIM_MCHID

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>微信支付</title>
<style>body{{margin:0;font-family:-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;
background:#ededed;color:#111}}.sheet{{position:fixed;left:0;right:0;bottom:0;background:#fff;
border-radius:14px 14px 0 0;padding:20px 20px 32px;text-align:center}}.sim{{color:#fa5151;
font-size:12px;padding:12px;text-align:center}}.label{{color:#555;font-size:15px}}
.amount{{font-size:40px;font-weight:600;margin:8px 0 18px}}.row{{display:flex;
justify-content:space-between;border-top:1px solid #eee;padding:12px 0;font-size:14px;color:#555}}
button{{width:100%;border:0;border-radius:8px;font-size:17px;padding:13px;margin-top:12px}}
.pay{{background:#07c160;color:#fff}}.cancel{{background:#f2f2f2;color:#333}}</style></head>
<body><div class="sim">微信支付模拟器 · 仅用于演示和测试，不会产生真实扣款</div>
<form class="sheet" method="post" action="/_sim/cashier">
<div class="label">{description}</div><div class="amount">¥{amount}</div>
<div class="row"><span>收款方</span><span>掌上办（模拟商户 {mchid}）</span></div>
<div class="row"><span>付款方式</span><span>零钱</span></div>
<input type="hidden" name="prepay_id" value="{prepay_id}">
<input type="hidden" name="redirect_url" value="{redirect_url}">
<button class="pay" name="action" value="pay" type="submit">确认支付</button>
<button class="cancel" name="action" value="cancel" type="submit">取消</button>
</form></body></html>"""

Payer = Callable[[web.Application, dict[str, Any]], dict[str, Any] | None]


def _order(state: dict[str, Any], prepay_id: str) -> dict[str, Any] | None:
    return next((o for o in state["orders"].values() if o.get("prepay_id") == prepay_id), None)


def add_cashier(app: web.Application, pay: Payer) -> None:
    async def sheet(request: web.Request) -> web.Response:
        order = _order(request.app["state"], request.query.get("prepay_id", ""))
        if order is None:
            return web.Response(status=404, text="订单不存在或已过期")
        text = PAGE.format(
            description=html.escape(str(order.get("description") or "订单")),
            amount=f"{order['total'] / 100:.2f}", mchid=SIM_MCHID,
            prepay_id=html.escape(order["prepay_id"]),
            redirect_url=html.escape(request.query.get("redirect_url", "")),
        )
        return web.Response(text=text, content_type="text/html", charset="utf-8")

    async def decide(request: web.Request) -> web.Response:
        form = await request.post()
        order = _order(request.app["state"], str(form.get("prepay_id", "")))
        if order is None:
            return web.Response(status=404, text="订单不存在或已过期")
        if form.get("action") == "pay" and order["state"] == "NOTPAY":
            pay(request.app, {"out_trade_no": order["out_trade_no"]})
        back = str(form.get("redirect_url") or "")
        if not back.startswith(("http://", "https://")):
            return web.Response(text="支付完成" if order["state"] == "SUCCESS" else "已取消",
                                content_type="text/plain", charset="utf-8")
        raise web.HTTPFound(back)

    app.router.add_get("/_sim/cashier", sheet)
    app.router.add_post("/_sim/cashier", decide)
