"""``/gateway.do``: verify the caller's RSA2 signature, run the method, answer
``{"<method>_response": {...}, "sign": "..."}`` signed with the simulated Alipay key."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from aiohttp import web

from .notify import schedule_notify
from .state import YUAN, AlipaySimState, Refund, Trade, dumps, request_content, sign, stamp, verify

Body = dict[str, Any]
Handler = Callable[[web.Request, AlipaySimState, dict[str, str], Body], Awaitable[Body]]

OK: Body = {"code": "10000", "msg": "Success"}


def fail(code: str, sub_code: str, sub_msg: str) -> Body:
    msg = {"20000": "Service Currently Unavailable", "20001": "Insufficient Token Permissions",
           "40001": "Missing Required Arguments", "40002": "Invalid Arguments",
           "40004": "Business Failed", "40006": "Insufficient Permissions"}.get(code, "Error")
    return {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg}


def respond(state: AlipaySimState, key: str, body: Body, *, signed: bool = True) -> web.Response:
    text = dumps(body)
    signature = ""
    if signed:
        signer = state.wrong_key if state.faults.bad_response_sign else state.platform_key
        signature = sign(signer, text)
    raw = '{"%s":%s,"sign":"%s"}' % (key, text, signature)  # noqa: UP031 (raw text is signed)
    return web.Response(text=raw, content_type="application/json", charset="utf-8")


async def gateway(request: web.Request) -> web.Response:
    state: AlipaySimState = request.app["state"]
    params = dict(request.query)
    if request.method == "POST":
        params.update({k: str(v) for k, v in (await request.post()).items()})
    state.requests.append(params)
    method = params.get("method", "")
    key = method.replace(".", "_") + "_response" if method in HANDLERS else "error_response"
    if params.get("app_id") != state.app_id:
        return respond(state, key, fail("40002", "isv.invalid-app-id", "无效的AppID参数"))
    if not params.get("sign"):
        return respond(state, key, fail("40001", "isv.missing-signature", "缺少签名参数"))
    if params.get("sign_type") != "RSA2" or not verify(
        state.app_public_key, request_content(params), params["sign"]
    ):
        return respond(state, key, fail(
            "40002", "isv.invalid-signature",
            "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配"))
    if method not in HANDLERS:
        return respond(state, key, fail("40002", "isv.invalid-method", "不存在的方法名"))
    scripted = state.fail_next.get(method)
    if scripted:
        return respond(state, key, fail(**scripted.pop(0)))
    try:
        biz = json.loads(params.get("biz_content") or "{}")
    except ValueError:
        return respond(state, key, fail("40002", "isv.invalid-biz-content", "biz_content格式错误"))
    body = await HANDLERS[method](request, state, params, biz)
    if body.pop("_error_response", False):  # the oauth sample: error_response, empty sign
        return respond(state, "error_response", body, signed=False)
    return respond(state, key, body)


# ---------------------------------------------------------------- login


def _login_answer(state: AlipaySimState, who: dict[str, Any]) -> Body:
    access, refresh = f"authusrB{uuid.uuid4().hex}", f"authusrB{uuid.uuid4().hex}"
    state.tokens[access] = who
    state.refresh_tokens[refresh] = who
    ids = {k: who[k] for k in ("user_id", "open_id") if who.get(k)}
    return {**ids, "access_token": access, "expires_in": 1296000, "refresh_token": refresh,
            "re_expires_in": 2592000, "auth_start": stamp()}


async def oauth_token(request: web.Request, state: AlipaySimState, p: dict[str, str],
                      biz: Body) -> Body:
    if p.get("grant_type") == "refresh_token":
        who = state.refresh_tokens.pop(p.get("refresh_token", ""), None)
    else:
        who = state.codes.pop(p.get("code", ""), None)  # single use
    if who is None:
        return {**fail("40002", "isv.code-invalid", "授权码code无效"), "_error_response": True}
    return _login_answer(state, who)


async def user_info_share(request: web.Request, state: AlipaySimState, p: dict[str, str],
                          biz: Body) -> Body:
    who = state.tokens.get(p.get("auth_token", ""))
    if who is None:
        return fail("20001", "aop.invalid-auth-token", "无效的访问令牌")
    return {**OK, **{k: v for k, v in who.items() if not k.startswith("_")}}


# ---------------------------------------------------------------- trades


def _amount_ok(text: Any) -> bool:
    return isinstance(text, str) and bool(YUAN.match(text)) and Decimal(text) > 0


async def trade_create(request: web.Request, state: AlipaySimState, p: dict[str, str],
                       biz: Body) -> Body:
    out_trade_no = str(biz.get("out_trade_no") or "")
    buyer_id, open_id = biz.get("buyer_id"), biz.get("buyer_open_id")
    if not out_trade_no or not biz.get("subject") or not _amount_ok(biz.get("total_amount")):
        return fail("40004", "ACQ.INVALID_PARAMETER", "参数无效")
    if not (buyer_id or open_id):
        return fail("40004", "ACQ.BUYER_NOT_EXIST", "买家不存在")
    existing = state.trades.get(out_trade_no)
    if existing:
        if existing.status == "TRADE_CLOSED":
            return fail("40004", "ACQ.TRADE_HAS_CLOSE", "交易已关闭")
        if existing.status != "WAIT_BUYER_PAY":
            return fail("40004", "ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
        if existing.total_amount != biz["total_amount"]:
            return fail("40004", "ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
        return {**OK, "out_trade_no": out_trade_no, "trade_no": existing.trade_no}
    trade = Trade(out_trade_no, state.new_trade_no(), biz["total_amount"], str(biz["subject"]),
                  buyer_id, open_id, p.get("notify_url"), str(biz.get("product_code", "")))
    state.trades[out_trade_no] = trade
    return {**OK, "out_trade_no": out_trade_no, "trade_no": trade.trade_no}


def _not_found() -> Body:
    return fail("40004", "ACQ.TRADE_NOT_EXIST", "交易不存在")


async def trade_query(request: web.Request, state: AlipaySimState, p: dict[str, str],
                      biz: Body) -> Body:
    t = state.find(biz)
    if t is None:
        return _not_found()
    out = {**OK, "trade_no": t.trade_no, "out_trade_no": t.out_trade_no,
           "trade_status": t.status, "total_amount": t.total_amount,
           "buyer_pay_amount": t.total_amount if t.paid_at else "0.00"}
    if t.paid_at:
        out["send_pay_date"] = stamp(t.paid_at)
    if t.buyer_id:
        out["buyer_user_id"] = t.buyer_id
    if t.buyer_open_id:
        out["buyer_open_id"] = t.buyer_open_id
    return out


async def trade_close(request: web.Request, state: AlipaySimState, p: dict[str, str],
                      biz: Body) -> Body:
    t = state.find(biz)
    if t is None:
        return _not_found()
    if t.status != "WAIT_BUYER_PAY":
        return fail("40004", "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
    t.status = "TRADE_CLOSED"
    return {**OK, "trade_no": t.trade_no, "out_trade_no": t.out_trade_no}


async def trade_refund(request: web.Request, state: AlipaySimState, p: dict[str, str],
                       biz: Body) -> Body:
    t = state.find(biz)
    if t is None:
        return _not_found()
    request_no = str(biz.get("out_request_no") or t.out_trade_no)
    done = {**OK, "trade_no": t.trade_no, "out_trade_no": t.out_trade_no,
            "buyer_user_id": t.buyer_id or "", "gmt_refund_pay": stamp()}
    if request_no in t.refunds:  # the same refund asked again: no money moves
        return {**done, "fund_change": "N", "refund_fee": f"{t.refunded:.2f}"}
    if t.status == "TRADE_FINISHED":
        return fail("40004", "ACQ.TRADE_HAS_FINISHED", "交易已完结")
    if t.status != "TRADE_SUCCESS":
        return fail("40004", "ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
    amount = biz.get("refund_amount")
    if not _amount_ok(amount):
        return fail("40004", "ACQ.INVALID_PARAMETER", "参数无效")
    if t.refunded + Decimal(amount) > Decimal(t.total_amount):
        return fail("40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
    t.refunds[request_no] = Refund(request_no, amount, str(biz.get("refund_reason", "")),
                                   datetime.now(UTC))
    if t.refunded == Decimal(t.total_amount):
        t.status = "TRADE_CLOSED"
    schedule_notify(request.app, t)
    return {**done, "fund_change": "Y", "refund_fee": f"{t.refunded:.2f}"}


async def refund_query(request: web.Request, state: AlipaySimState, p: dict[str, str],
                       biz: Body) -> Body:
    t = state.find(biz)
    if t is None:
        return _not_found()
    request_no = str(biz.get("out_request_no") or t.out_trade_no)
    r = t.refunds.get(request_no)
    out = {**OK, "trade_no": t.trade_no, "out_trade_no": t.out_trade_no,
           "out_request_no": request_no}
    if r is None:  # Alipay answers success with no refund fields when none exists
        return out
    return {**out, "refund_amount": r.amount, "total_amount": t.total_amount,
            "refund_status": "REFUND_SUCCESS", "gmt_refund_pay": stamp(r.at)}


async def bill_url(request: web.Request, state: AlipaySimState, p: dict[str, str],
                   biz: Body) -> Body:
    bill_date = str(biz.get("bill_date", ""))
    if biz.get("bill_type") not in ("trade", "signcustomer") or len(bill_date) != 10:
        return fail("40004", "isp.bill_date_invalid", "账单日期格式不正确")
    token = secrets.token_urlsafe(12)
    state.bills[token] = bill_date
    base = f"{request.url.scheme}://{request.url.host}:{request.url.port}"
    return {**OK, "bill_download_url": f"{base}/_sim/bill/{token}?downloadFileName=bill.zip"}


# ---------------------------------------------------------------- mini-program messages


async def template_send(request: web.Request, state: AlipaySimState, p: dict[str, str],
                        biz: Body) -> Body:
    to = biz.get("to_user_id") or biz.get("to_open_id")
    if not to or not biz.get("user_template_id"):
        return fail("40004", "INVALID_PARAMETER", "参数无效")
    try:
        data = json.loads(biz.get("data") or "{}")
    except ValueError:
        return fail("40004", "INVALID_PARAMETER", "data格式错误")
    state.messages.append({"to": to, "template_id": biz["user_template_id"],
                           "page": biz.get("page"), "data": data, "at": datetime.now(UTC)})
    return dict(OK)


HANDLERS: dict[str, Handler] = {
    "alipay.system.oauth.token": oauth_token,
    "alipay.user.info.share": user_info_share,
    "alipay.trade.create": trade_create,
    "alipay.trade.query": trade_query,
    "alipay.trade.close": trade_close,
    "alipay.trade.refund": trade_refund,
    "alipay.trade.fastpay.refund.query": refund_query,
    "alipay.data.dataservice.bill.downloadurl.query": bill_url,
    "alipay.open.app.mini.templatemessage.send": template_send,
}
