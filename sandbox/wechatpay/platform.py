"""WeChat Pay API v3 endpoints of the simulator: prepay, query, close, refund, bills."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from typing import Any

from aiohttp import web

from .proto import (
    BILL_COLUMNS,
    SIM_MCHID,
    _answer,
    _build_notify,
    _deliver,
    _error,
    _now_cst,
    _transaction,
)

routes = web.RouteTableDef()


async def _prepay(request: web.Request, trade_type: str) -> web.Response:
    state = request.app["state"]
    try:
        doc = await request.json()
        no, total = str(doc["out_trade_no"]), int(doc["amount"]["total"])
        appid, notify_url = str(doc["appid"]), str(doc["notify_url"])
    except (ValueError, KeyError, TypeError):
        return _error(400, "PARAM_ERROR", "参数错误")
    if doc.get("mchid") != SIM_MCHID:
        return _error(400, "MCH_NOT_EXISTS", "商户号不存在")
    if trade_type == "JSAPI" and not (doc.get("payer") or {}).get("openid"):
        return _error(400, "PARAM_ERROR", "JSAPI支付必须传openid")
    if trade_type == "MWEB" and not (doc.get("scene_info") or {}).get("payer_client_ip"):
        return _error(400, "PARAM_ERROR", "H5支付必须传scene_info.payer_client_ip")
    if total <= 0:
        return _error(400, "PARAM_ERROR", "订单金额必须大于0")
    order = state["orders"].get(no)
    if order:
        if order["state"] == "SUCCESS":
            return _error(403, "ORDERPAID", "该订单已支付")
        if order["state"] == "CLOSED":
            return _error(400, "ORDER_CLOSED", "订单已关闭")
        if order["total"] != total:
            return _error(400, "INVALID_REQUEST", "201 商户订单号重复")
        return _answer(200, _prepay_answer(request, order))
    order = {"out_trade_no": no, "appid": appid, "total": total, "notify_url": notify_url,
             "trade_type": trade_type, "state": "NOTPAY", "description": doc.get("description"),
             "openid": (doc.get("payer") or {}).get("openid", ""),
             "prepay_id": "wx" + secrets.token_hex(16), "refunded": 0}
    state["orders"][no] = order
    return _answer(200, _prepay_answer(request, order))


def _prepay_answer(request: web.Request, order: dict[str, Any]) -> dict[str, Any]:
    """JSAPI and APP answer a ``prepay_id``; H5 (MWEB) the cashier page the browser opens,
    which this simulator serves itself (``sandbox/wechatpay/cashier.py``)."""
    if order["trade_type"] != "MWEB":
        return {"prepay_id": order["prepay_id"]}
    base = f"{request.scheme}://{request.host}"
    return {"h5_url": f"{base}/_sim/cashier?prepay_id={order['prepay_id']}&package=2505"}


@routes.post("/v3/pay/transactions/jsapi")
async def jsapi(request: web.Request) -> web.Response:
    return await _prepay(request, "JSAPI")


@routes.post("/v3/pay/transactions/h5")
async def h5_pay(request: web.Request) -> web.Response:
    return await _prepay(request, "MWEB")


@routes.post("/v3/pay/transactions/app")
async def app_pay(request: web.Request) -> web.Response:
    return await _prepay(request, "APP")


@routes.get("/v3/pay/transactions/out-trade-no/{no}")
async def query(request: web.Request) -> web.Response:
    order = request.app["state"]["orders"].get(request.match_info["no"])
    if order is None:
        return _error(404, "ORDER_NOT_EXIST", "订单不存在")
    return _answer(200, _transaction(order))


@routes.post("/v3/pay/transactions/out-trade-no/{no}/close")
async def close(request: web.Request) -> web.Response:
    order = request.app["state"]["orders"].get(request.match_info["no"])
    if order is None:
        return _error(404, "ORDER_NOT_EXIST", "订单不存在")
    if order["state"] in ("SUCCESS", "REFUND"):
        return _error(400, "ORDERPAID", "订单已支付")
    order["state"] = "CLOSED"
    return _answer(204)


# ---------------------------------------------------------------- refunds


def _refund_view(refund: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in refund.items() if k not in ("notify_url", "order_key")}


@routes.post("/v3/refund/domestic/refunds")
async def refund(request: web.Request) -> web.Response:
    state = request.app["state"]
    try:
        doc = await request.json()
        # the payment is named by the order number or by its transaction_id
        no, out_refund_no = str(doc.get("out_trade_no") or ""), str(doc["out_refund_no"])
        tx = str(doc.get("transaction_id") or "")
        amount, total = int(doc["amount"]["refund"]), int(doc["amount"]["total"])
    except (ValueError, KeyError, TypeError):
        return _error(400, "PARAM_ERROR", "参数错误")
    if out_refund_no in state["refunds"]:
        return _answer(200, _refund_view(state["refunds"][out_refund_no]))
    if tx:
        order = next((o for o in state["orders"].values() if o.get("transaction_id") == tx),
                     None)
        no = order["out_trade_no"] if order else ""
    else:
        order = state["orders"].get(no)
    if order is None or not order.get("transaction_id"):
        return _error(404, "RESOURCE_NOT_EXISTS", "订单不存在")
    if total != order["total"] or amount <= 0:
        return _error(400, "PARAM_ERROR", "订单金额或退款金额与之前请求不一致")
    if order["refunded"] + amount > order["total"]:
        return _error(403, "NOT_ENOUGH", "可退金额不足")
    order["refunded"] += amount
    order["state"] = "REFUND"
    refund = {"refund_id": "50" + secrets.token_hex(14), "out_refund_no": out_refund_no,
              "transaction_id": order["transaction_id"], "out_trade_no": no,
              "channel": "ORIGINAL", "user_received_account": "支付用户零钱",
              "create_time": _now_cst(), "status": "PROCESSING",
              "amount": {"total": total, "refund": amount, "payer_total": total,
                         "payer_refund": amount, "currency": "CNY"},
              "notify_url": doc.get("notify_url"), "order_key": order.get("key", no)}
    state["refunds"][out_refund_no] = refund
    request.app["tasks"].add(asyncio.create_task(_finish_refund(request.app, refund)))
    return _answer(200, _refund_view(refund))


async def _finish_refund(app: web.Application, refund: dict[str, Any]) -> None:
    await asyncio.sleep(float(app["state"]["options"]["refund_delay"]))
    refund["status"] = "SUCCESS"
    refund["success_time"] = _now_cst()
    if refund.get("notify_url") and app["state"]["options"].get("refund_notify", True):
        resource = {"mchid": SIM_MCHID, "refund_status": "SUCCESS",
                    **{k: refund[k] for k in ("out_trade_no", "transaction_id", "out_refund_no",
                                              "refund_id", "success_time",
                                              "user_received_account")},
                    "amount": {k: refund["amount"][k] for k in ("total", "refund", "payer_total",
                                                                "payer_refund")}}
        notify = _build_notify("REFUND.SUCCESS", "退款成功", "refund", resource)
        await _deliver(app, refund["notify_url"], notify)


@routes.get("/v3/refund/domestic/refunds/{no}")
async def query_refund(request: web.Request) -> web.Response:
    refund = request.app["state"]["refunds"].get(request.match_info["no"])
    if refund is None:
        return _error(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
    return _answer(200, _refund_view(refund))


# ---------------------------------------------------------------- bills


def _bill_rows(state: dict[str, Any], bill_date: str) -> list[list[str]]:
    rows = []
    for order in state["orders"].values():
        if not order.get("success_time") or not order["success_time"].startswith(bill_date):
            continue
        total = order.get("bill_total", order["total"])
        rec = {"交易时间": order["success_time"].replace("T", " ")[:19],
               "公众账号ID": order["appid"],
               "商户号": SIM_MCHID, "微信订单号": order["transaction_id"],
               "商户订单号": order["out_trade_no"], "用户标识": order.get("openid", ""),
               "交易类型": order["trade_type"], "交易状态": "SUCCESS", "付款银行": "OTHERS",
               "货币种类": "CNY", "应结订单金额": f"{total / 100:.2f}", "代金券金额": "0.00",
               "退款金额": "0.00", "充值券退款金额": "0.00",
               "商品名称": order.get("description") or "",
               "手续费": "0.00", "费率": "0.60%", "订单金额": f"{total / 100:.2f}",
               "申请退款金额": "0.00"}
        rows.append([f"`{rec.get(c, '')}" for c in BILL_COLUMNS])
    for refund in state["refunds"].values():
        if refund["status"] != "SUCCESS" or not refund["success_time"].startswith(bill_date):
            continue
        order = state["orders"][refund.get("order_key", refund["out_trade_no"])]
        amount = f"{refund['amount']['refund'] / 100:.2f}"
        rec = {"交易时间": refund["success_time"].replace("T", " ")[:19],
               "公众账号ID": order["appid"],
               "商户号": SIM_MCHID, "微信订单号": order["transaction_id"],
               "商户订单号": order["out_trade_no"], "交易类型": order["trade_type"],
               "交易状态": "REFUND", "货币种类": "CNY", "应结订单金额": "0.00",
               "微信退款单号": refund["refund_id"], "商户退款单号": refund["out_refund_no"],
               "退款金额": amount, "退款类型": "ORIGINAL", "退款状态": "SUCCESS",
               "申请退款金额": amount}
        rows.append([f"`{rec.get(c, '')}" for c in BILL_COLUMNS])
    return rows


def _render_bill(rows: list[list[str]]) -> bytes:
    lines = [",".join(BILL_COLUMNS)] + [",".join(r) for r in rows]
    total = sum(float(r[BILL_COLUMNS.index("应结订单金额")].lstrip("`")) for r in rows)
    refunds = sum(float(r[BILL_COLUMNS.index("退款金额")].lstrip("`")) for r in rows)
    lines.append("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额")
    lines.append(f"`{len(rows)},`{total:.2f},`{refunds:.2f},`0.00,`0.00")
    return ("\r\n".join(lines) + "\r\n").encode()


@routes.get("/v3/bill/tradebill")
async def tradebill(request: web.Request) -> web.Response:
    bill_date = request.query.get("bill_date", "")
    rows = _bill_rows(request.app["state"], bill_date)
    if not rows:
        return _error(400, "NO_STATEMENT_EXIST", "账单文件不存在")
    data = _render_bill(rows)
    token = secrets.token_hex(8)
    request.app["state"]["bills"][token] = data
    base = f"{request.scheme}://{request.host}"
    return _answer(200, {"hash_type": "SHA1",
                         "hash_value": hashlib.sha1(data).hexdigest(),  # noqa: S324
                         "download_url": f"{base}/v3/billdownload/file?token={token}"})


@routes.get("/v3/billdownload/file")
async def bill_file(request: web.Request) -> web.Response:
    data = request.app["state"]["bills"].get(request.query.get("token", ""))
    if data is None:
        return _error(404, "RESOURCE_NOT_EXISTS", "账单不存在")
    return web.Response(body=data, content_type="text/plain", charset="utf-8")
