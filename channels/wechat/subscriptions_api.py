"""``GET /api/v1/wechat/subscriptions``: which subscribe notifications the person's WeChat
account has agreed to, so the H5 can offer the one-time subscription prompt.

Consent itself is never posted by the page: WeChat tells our callback
(``subscribe_msg_popup_event``) after the person answers the ``wx-open-subscribe`` prompt,
and ``store.record_choices`` keeps it. This only reads what was recorded.
"""

from __future__ import annotations

from pydantic import BaseModel
from sanic import Blueprint, HTTPResponse

from app.context import AppRequest
from app.handler_kit import doc, ok, returns
from app.security.auth import citizen_required
from channels.wechat.inbound import long_term_templates
from models.identity import ChannelAccount
from models.wechat import ConsentKind, SubscribeConsent

bp = Blueprint("wechat_subscriptions", url_prefix="/api/v1/wechat")


class TemplateConsentOut(BaseModel):
    template_id: str
    kind: ConsentKind
    accepted: bool
    remaining: int  # one-time acceptances not yet spent


class SubscriptionsOut(BaseModel):
    bound: bool  # a WeChat account is bound to this person
    templates: list[TemplateConsentOut]


@bp.get("/subscriptions")
@doc("我的公众号订阅通知授权", "wechat",
     "每个订阅通知模板的授权状态（一次性订阅剩余次数 / 长期订阅）；授权由微信回调记录。")
@citizen_required
@returns(SubscriptionsOut)
async def my_subscriptions(request: AppRequest) -> HTTPResponse:
    settings = request.app.ctx.settings
    long_term = long_term_templates(settings)
    wanted = [settings.wechat_subscribe_template_id, *sorted(long_term)]
    openids = await ChannelAccount.filter(
        person_id=request.ctx.person_id, channel="wechat").values_list("subject", flat=True)
    rows = {r.template_id: r for r in await SubscribeConsent.filter(
        openid__in=list(openids), template_id__in=wanted)}
    templates = []
    for template_id in dict.fromkeys(wanted):
        row = rows.get(template_id)
        kind = ConsentKind.LONG_TERM if template_id in long_term else ConsentKind.ONE_TIME
        templates.append({"template_id": template_id, "kind": kind,
                          "accepted": bool(row and row.accepted),
                          "remaining": row.remaining if row else 0})
    return ok({"bound": bool(openids), "templates": templates})
