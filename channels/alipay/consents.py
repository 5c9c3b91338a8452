"""Citizen API for mini-program subscription consents.

The mini-program calls ``my.requestSubscribeMessage({entityIds})`` and posts what the user
answered here; the ``alipay_subscribe`` notifier sends only against these consents.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sanic import Blueprint, HTTPResponse

from app.context import AppRequest
from app.errors import Conflict
from app.handler_kit import body, doc, ok, returns
from app.security.auth import citizen_required
from models.alipay import AlipaySubscription, SubscriptionKind
from models.identity import ChannelAccount

from . import subscriptions

bp = Blueprint("alipay_consents", url_prefix="/api/v1/alipay")

TemplateId = Annotated[str, StringConstraints(min_length=1, max_length=128,
                                             pattern=r"^[A-Za-z0-9_\-]+$")]


class SubscriptionAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accepted: list[TemplateId] = Field(
        default_factory=list, max_length=20, description="subscribeEntityIds the user accepted"
    )
    rejected: list[TemplateId] = Field(
        default_factory=list, max_length=20, description="unsubscribedEntityIds the user declined"
    )
    kind: Literal["one_time", "long_term"] = "one_time"


class SubscriptionOut(BaseModel):
    template_id: str
    kind: str
    active: bool
    remaining: int


class SubscriptionList(BaseModel):
    subscriptions: list[SubscriptionOut]


async def _alipay_subject(person_id: int) -> str:
    account = await ChannelAccount.filter(person_id=person_id, channel="alipay").first()
    if account is None:
        raise Conflict("请先在支付宝小程序中登录并绑定账号", code="ALIPAY_NOT_BOUND")
    return account.subject


def _out(rows: list[AlipaySubscription]) -> dict[str, object]:
    return {"subscriptions": [
        {"template_id": r.template_id, "kind": str(r.kind), "active": r.active,
         "remaining": r.remaining if r.kind == SubscriptionKind.ONE_TIME else -1}
        for r in rows
    ]}


@bp.post("/subscriptions")
@doc("Record the answer to my.requestSubscribeMessage", "alipay",
     "One-time acceptances add up (one message each); long-term ones last until declined. "
     "`remaining` is -1 for long-term consents.")
@citizen_required
@body(SubscriptionAnswer, optional=True)
@returns(SubscriptionList)
async def record_subscriptions(request: AppRequest) -> HTTPResponse:
    answer: SubscriptionAnswer = request.ctx.body
    subject = await _alipay_subject(request.ctx.person_id)
    rows = await subscriptions.record(
        subject, request.ctx.person_id, answer.accepted, answer.rejected,
        SubscriptionKind(answer.kind),
    )
    return ok(_out(rows))


@bp.get("/subscriptions")
@doc("My mini-program subscription consents", "alipay")
@citizen_required
@returns(SubscriptionList)
async def list_subscriptions(request: AppRequest) -> HTTPResponse:
    subject = await _alipay_subject(request.ctx.person_id)
    rows = await AlipaySubscription.filter(subject=subject).order_by("template_id")
    return ok(_out(list(rows)))
