"""The message centre (citizen) and staff push (role operator).

Citizen: inbox list / unread count / mark read, a live stream of new messages (server-sent
events fed by kv pub/sub, so it works whichever worker or host wrote the message), device
registration for app push, and preferences. Staff: campaigns and a single message to the
person of a case.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from typing import Any

from pydantic import BaseModel, Field
from sanic import Blueprint
from sanic.response import HTTPResponse

from app.context import AppRequest
from app.errors import ApiError, BadRequest, NotFound
from app.handler_kit import STAFF_ERRORS, Done, body, doc, fails, ok, query, returns, row_id
from app.security.auth import citizen_required, staff_required
from models.push import Campaign
from push import campaigns, inbox
from push.campaigns import CampaignError
from push.direct import send_to_case_person
from push.dispatcher import live_channel, publish
from push.schemas import (
    Audience,
    CampaignIn,
    CampaignOut,
    DeviceIn,
    DeviceOut,
    DirectMessageIn,
    DirectMessageOut,
    InboxPageOut,
    InboxQuery,
    MarkReadIn,
    MarkReadOut,
    PreferencesIn,
    PreferencesOut,
    PreviewOut,
    UnreadOut,
)

citizen_bp = Blueprint("push_citizen", url_prefix="/api/v1")
staff_bp = Blueprint("push_staff", url_prefix="/api/v1/staff/push")
bp = Blueprint.group(citizen_bp, staff_bp)
TAG, STAFF_TAG = "messages", "staff-push"
OPERATOR = "operator"
HEARTBEAT_SECONDS = 15.0


@citizen_bp.get("/messages")
@doc("My inbox, newest first (cursor: before=<id>)", TAG)
@citizen_required
@query(InboxQuery)
@returns(InboxPageOut)
async def list_messages(request: AppRequest) -> HTTPResponse:
    q: InboxQuery = request.ctx.query
    items, cursor = await inbox.page(
        request.ctx.person_id, before=q.before, limit=q.limit, unread_only=q.unread
    )
    return ok({"items": items, "next_before": cursor})


@citizen_bp.get("/messages/unread-count")
@doc("How many inbox messages are unread", TAG)
@citizen_required
@returns(UnreadOut)
async def unread_count(request: AppRequest) -> HTTPResponse:
    return ok({"unread": await inbox.unread(request.ctx.person_id)})


@citizen_bp.post("/messages/read")
@doc("Mark messages read: the listed ids, or all", TAG)
@citizen_required
@body(MarkReadIn)
@returns(MarkReadOut)
async def mark_read(request: AppRequest) -> HTTPResponse:
    b: MarkReadIn = request.ctx.body
    if not b.all and not b.ids:
        raise BadRequest("请指定要标记的消息", code="NOTHING_TO_MARK")
    changed = await inbox.mark_read(request.ctx.person_id, None if b.all else b.ids)
    return ok({"marked": changed, "unread": await inbox.unread(request.ctx.person_id)})


@citizen_bp.get("/messages/stream")
@doc("Live stream (text/event-stream) of my new messages and case progress", TAG)
@citizen_required
async def stream(request: AppRequest) -> None:
    kv = request.app.ctx.kv
    channel = live_channel(request.ctx.person_id)
    nonce = uuid.uuid4().hex
    queue: asyncio.Queue[str] = asyncio.Queue(maxsize=1000)

    async def pump() -> None:
        async for message in kv.subscribe(channel):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(message)

    response = await request.respond(
        content_type="text/event-stream; charset=utf-8",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
    reader = asyncio.create_task(pump())
    ready = False
    try:
        # a probe through pub/sub, repeated until it comes back: then the subscription is live
        probe = json.dumps({"type": "ready", "nonce": nonce})
        await kv.publish(channel, probe)
        while True:
            try:
                raw = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS if ready else 0.1)
            except TimeoutError:
                if reader.done():  # the kv subscription ended: let the client reconnect
                    break
                if ready:
                    await response.send(": ping\n\n")
                else:
                    await kv.publish(channel, probe)
                continue
            event = json.loads(raw)
            if event.get("type") == "ready":
                if ready or event.get("nonce") != nonce:
                    continue
                ready = True
                unread = await inbox.unread(request.ctx.person_id)
                await response.send(f"event: ready\ndata: {json.dumps({'unread': unread})}\n\n")
                continue
            await response.send(f"event: {event.get('type', 'message')}\ndata: {raw}\n\n")
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
        with contextlib.suppress(Exception):
            await response.eof()


@citizen_bp.post("/push/devices")
@doc("Register this phone's push registration id (JPush)", TAG)
@citizen_required
@body(DeviceIn)
@returns(DeviceOut, status=201)
async def register_device(request: AppRequest) -> HTTPResponse:
    b: DeviceIn = request.ctx.body
    device = await inbox.register_device(request.ctx.person_id, b.registration_id, b.platform)
    return ok({"registration_id": device.registration_id, "platform": device.platform}, 201)


@citizen_bp.delete("/push/devices/<registration_id:str>")
@doc("Stop pushing to this phone", TAG)
@citizen_required
@returns(Done)
async def unregister_device(request: AppRequest, registration_id: str) -> HTTPResponse:
    if not await inbox.unregister_device(request.ctx.person_id, registration_id):
        raise NotFound("设备未登记", code="DEVICE_NOT_FOUND")
    return ok({"ok": True})


@citizen_bp.get("/push/preferences")
@doc("My message preferences", TAG)
@citizen_required
@returns(PreferencesOut)
async def get_preferences(request: AppRequest) -> HTTPResponse:
    return ok(await inbox.get_preferences(request.ctx.person_id))


@citizen_bp.put("/push/preferences")
@doc("Mute progress or campaign messages (legal notices can't be muted)", TAG)
@citizen_required
@body(PreferencesIn)
@returns(PreferencesOut)
async def put_preferences(request: AppRequest) -> HTTPResponse:
    b: PreferencesIn = request.ctx.body
    return ok(
        await inbox.set_preferences(
            request.ctx.person_id,
            mute_normal=b.mute_normal,
            mute_bulk=b.mute_bulk,
            disabled_channels=b.disabled_channels,
        )
    )


# ---------------------------------------------------------------- staff


async def _campaign(request: AppRequest, campaign_id: int) -> Campaign:
    return await campaigns.campaign_for_staff(
        row_id(campaign_id, "推送任务不存在", "CAMPAIGN_NOT_FOUND"), request.ctx.staff
    )


def _shape(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "body": c.body,
        "link": c.link,
        "state": c.state,
        "audience": {k: v for k, v in c.audience.items() if k != "person_ids"},
        "rate_limits": c.rate_limits,
        "total": c.total,
        "expanded": c.expanded,
        "scheduled_at": c.scheduled_at.isoformat() if c.scheduled_at else None,
        "approved_at": c.approved_at.isoformat() if c.approved_at else None,
    }


async def _act(request: AppRequest, campaign_id: int, action: str) -> HTTPResponse:
    campaign = await _campaign(request, campaign_id)
    staff = request.ctx.staff
    threshold = request.app.ctx.settings.campaign_approval_threshold
    try:
        if action == "send":
            campaign = await campaigns.send(campaign, staff.id, approval_threshold=threshold)
        elif action == "approve":
            campaign = await campaigns.approve(campaign, staff)
        else:
            campaign = await getattr(campaigns, action)(campaign, staff.id)
    except CampaignError as exc:
        raise ApiError(exc.message, code=exc.code, status=409) from exc
    return ok({**_shape(campaign), "progress": await campaigns.progress(campaign)})


async def _resolved(audience: dict[str, Any], scope: int | None) -> campaigns.Resolved:
    try:
        return await campaigns.resolve_audience(audience, scope)
    except CampaignError as exc:
        raise ApiError(exc.message, code=exc.code, status=409) from exc


@staff_bp.post("/campaigns")
@doc("Create a campaign (draft): template text, audience, schedule, per-channel rate", STAFF_TAG)
@staff_required(OPERATOR)
@body(CampaignIn)
@returns(CampaignOut, status=201)
async def create_campaign(request: AppRequest) -> HTTPResponse:
    b: CampaignIn = request.ctx.body
    campaign = await campaigns.create(
        request.ctx.staff,
        title=b.title,
        body=b.body,
        link=b.link,
        audience=b.audience.stored(),
        rate_limits=b.rate_limits,
        scheduled_at=b.scheduled_at,
    )
    return ok(_shape(campaign), 201)


@staff_bp.get("/campaigns/<campaign_id:int>")
@doc("A campaign with its progress and per-channel delivery figures", STAFF_TAG)
@staff_required(OPERATOR)
@returns(CampaignOut)
async def read_campaign(request: AppRequest, campaign_id: int) -> HTTPResponse:
    campaign = await _campaign(request, campaign_id)
    return ok({**_shape(campaign), "progress": await campaigns.progress(campaign)})


@staff_bp.get("/campaigns/<campaign_id:int>/preview")
@doc("The rendered message per channel, and the audience size", STAFF_TAG)
@staff_required(OPERATOR)
@returns(PreviewOut)
async def preview_campaign(request: AppRequest, campaign_id: int) -> HTTPResponse:
    campaign = await _campaign(request, campaign_id)
    found = await _resolved(campaign.audience, campaigns.scope_of(campaign))
    threshold = request.app.ctx.settings.campaign_approval_threshold
    return ok({"channels": campaigns.preview(campaign), "audience_size": len(found.persons),
               "unreachable_person_ids": found.unreachable[:1000],
               "needs_approval": campaigns.needs_approval(campaign, len(found.persons),
                                                          threshold)})


@staff_bp.post("/campaigns/<campaign_id:int>/send")
@doc("Send (or resume) a campaign", STAFF_TAG,
     "A campaign reaching more people than `ZSB_CAMPAIGN_APPROVAL_THRESHOLD` (default 10000) "
     "answers 409 CAMPAIGN_APPROVAL_REQUIRED until an admin approves it (`…/approve`).")
@staff_required(OPERATOR)
@returns(CampaignOut)
@fails(*STAFF_ERRORS, (404, "CAMPAIGN_NOT_FOUND"), (409, "CAMPAIGN_STATE"),
       (409, "CAMPAIGN_APPROVAL_REQUIRED"))
async def send_campaign(request: AppRequest, campaign_id: int) -> HTTPResponse:
    return await _act(request, campaign_id, "send")


@staff_bp.post("/campaigns/<campaign_id:int>/approve")
@doc("Approve a large campaign so it may be sent (admins only)", STAFF_TAG)
@staff_required("admin")
@returns(CampaignOut)
@fails(*STAFF_ERRORS, (404, "CAMPAIGN_NOT_FOUND"), (409, "CAMPAIGN_STATE"))
async def approve_campaign(request: AppRequest, campaign_id: int) -> HTTPResponse:
    return await _act(request, campaign_id, "approve")


@staff_bp.post("/campaigns/<campaign_id:int>/pause")
@doc("Pause a campaign", STAFF_TAG)
@staff_required(OPERATOR)
@returns(CampaignOut)
async def pause_campaign(request: AppRequest, campaign_id: int) -> HTTPResponse:
    return await _act(request, campaign_id, "pause")


@staff_bp.post("/campaigns/<campaign_id:int>/cancel")
@doc("Cancel a campaign", STAFF_TAG)
@staff_required(OPERATOR)
@returns(CampaignOut)
async def cancel_campaign(request: AppRequest, campaign_id: int) -> HTTPResponse:
    return await _act(request, campaign_id, "cancel")


class CampaignListQuery(BaseModel):
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class CampaignListOut(BaseModel):
    items: list[CampaignOut]
    total: int


class AudienceIn(BaseModel):
    audience: Audience


class AudienceOut(BaseModel):
    audience_size: int = Field(description="people reached: only those with a case with the "
                               "department (an admin's: anyone)")
    unreachable_person_ids: list[int] = Field(
        default_factory=list, description="given person ids that name no one this "
        "department may reach (unknown or without a case with it): reported, not counted "
        "(the first 1000)")
    needs_approval: bool = False
    quiet_hours: str = Field(description="Beijing time; normal and bulk messages wait it out")


@staff_bp.get("/campaigns")
@doc("Campaigns of my department (admins: all), newest first", STAFF_TAG)
@staff_required(OPERATOR)
@query(CampaignListQuery)
@returns(CampaignListOut)
@fails(*STAFF_ERRORS, (422, "VALIDATION_FAILED"))
async def list_campaigns(request: AppRequest) -> HTTPResponse:
    q: CampaignListQuery = request.ctx.query
    rows, total = await campaigns.list_for_staff(request.ctx.staff, limit=q.limit,
                                                 offset=q.offset)
    return ok({"items": [_shape(c) for c in rows], "total": total})


@staff_bp.post("/audience")
@doc("How many people an audience reaches now, while it is chosen (nothing is sent)",
     STAFF_TAG)
@staff_required(OPERATOR)
@body(AudienceIn)
@returns(AudienceOut)
@fails(*STAFF_ERRORS, (404, "DEPARTMENT_NOT_FOUND"), (404, "ITEM_NOT_FOUND"),
        (409, "BAD_AUDIENCE"), (422, "VALIDATION_FAILED"))
async def audience_size(request: AppRequest) -> HTTPResponse:
    audience = request.ctx.body.audience.stored()
    await campaigns.check_audience(request.ctx.staff, audience)
    found = await _resolved(audience, request.ctx.staff.department_scope)
    settings = request.app.ctx.settings
    return ok({"audience_size": len(found.persons),
               "unreachable_person_ids": found.unreachable[:1000],
               "needs_approval": len(found.persons) > settings.campaign_approval_threshold,
               "quiet_hours": settings.quiet_hours})


@staff_bp.post("/messages")
@doc("Send one message to the person of a case (e.g. 请携带原件到3号窗口)", STAFF_TAG)
@staff_required(OPERATOR, "clerk", "reviewer")
@body(DirectMessageIn)
@returns(DirectMessageOut, status=201)
async def direct_message(request: AppRequest) -> HTTPResponse:
    b: DirectMessageIn = request.ctx.body
    notification_id, live = await send_to_case_person(
        request.ctx.staff,
        case_id=b.case_id,
        title=b.title,
        body=b.body,
        quiet_hours=request.app.ctx.settings.quiet_hours,
    )
    await publish(request.app.ctx.kv, live)
    return ok({"notification_id": notification_id}, 201)
