"""``POST /callbacks/alipay``: Alipay async notifies (form-encoded, RSA2).

The gateway's ``verify_notify`` checks the signature, ``app_id`` and ``seller_id``; the
domain checks ``out_trade_no`` and ``total_amount`` against our order. Alipay stops retrying
only on the literal body ``success``; anything else (``fail``) makes it try again.
"""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import HTTPResponse, text

from app.context import AppRequest
from app.payments.notifies import handle_notify
from app.payments.refunds import submit_later

bp = Blueprint("alipay_callbacks")


@bp.post("/callbacks/alipay")
async def alipay_notify(request: AppRequest) -> HTTPResponse:
    edges = request.app.ctx.edges
    outcome = await handle_notify("alipay", edges.payment("alipay"), request.headers,
                                  request.body)
    if outcome.refund_id is not None:
        submit_later(edges, outcome.refund_id)
    return text("success" if outcome.handled else "fail")
