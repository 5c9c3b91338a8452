"""``POST /callbacks/wechatpay``: WeChat Pay v3 payment and refund notifies.

Verify → record raw → act → answer: 204 when handled (WeChat stops retrying), 4xx/5xx with
``{"code": "FAIL", "message": …}`` when not. An automatic refund that acting decided on is
submitted after the answer is sent, never inside the callback's transaction.
"""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import HTTPResponse, empty, json

from app.context import AppRequest
from app.payments.notifies import NotifyOutcome, handle_notify
from app.payments.refunds import submit_later
from channels.wechatpay.errors import NotifyError

bp = Blueprint("wechatpay_callbacks")

STATUS = {"unknown_order": 404, "amount_mismatch": 400, "error": 500}
MESSAGES = {"unknown_order": "订单不存在", "amount_mismatch": "订单金额不符", "error": "系统繁忙"}


def answer(outcome: NotifyOutcome) -> HTTPResponse:
    if outcome.handled:
        return empty(status=204)
    if isinstance(outcome.error, NotifyError):
        return json({"code": "FAIL", "message": "验签失败" if outcome.error.status == 401
                     else "报文有误"}, status=outcome.error.status)
    if outcome.outcome == "rejected":
        return json({"code": "FAIL", "message": "报文有误"}, status=400)
    return json({"code": "FAIL", "message": MESSAGES[outcome.outcome]},
                status=STATUS[outcome.outcome])


@bp.post("/callbacks/wechatpay")
async def wechatpay_notify(request: AppRequest) -> HTTPResponse:
    edges = request.app.ctx.edges
    outcome = await handle_notify("wechatpay", edges.payment("wechatpay"), request.headers,
                                  request.body)
    if outcome.refund_id is not None:
        submit_later(edges, outcome.refund_id)
    return answer(outcome)
