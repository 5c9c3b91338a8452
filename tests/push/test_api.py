"""The message centre and staff push through the HTTP API."""

from __future__ import annotations

import asyncio
import json
import uuid
from functools import partial
from typing import Any

import httpx

from models.cases import Case
from models.catalogue import ServiceItem, ServiceItemVersion
from models.core import AuditLog, Department
from models.push import Delivery, InboxMessage, Notification
from push import receipts
from tests.push.conftest import emit_event, new_person

_receipt = partial(receipts.record_receipt, quiet_hours="")  # quiet hours are tested apart


async def test_inbox_list_unread_and_mark_read(api: httpx.AsyncClient, citizen: Any,
                                               make_dispatcher: Any) -> None:
    me, other = await citizen(), await citizen()
    for status in ("case.submitted", "case.accepted", "case.under_review"):
        await emit_event(status, me.person_id)
    await make_dispatcher().drain()
    r = await api.get("/api/v1/messages", headers=me.headers, params={"limit": 2})
    assert r.status_code == 200, r.text
    page = r.json()
    assert [m["title"] for m in page["items"]] == ["办件审查中", "办件已受理"]
    r = await api.get("/api/v1/messages", headers=me.headers,
                      params={"before": page["next_before"]})
    assert [m["title"] for m in r.json()["items"]] == ["办件已提交"]
    r = await api.get("/api/v1/messages/unread-count", headers=me.headers)
    assert r.json() == {"unread": 3}
    r = await api.post("/api/v1/messages/read", headers=me.headers,
                       json={"ids": [page["items"][0]["id"]]})
    assert r.json() == {"marked": 1, "unread": 2}
    r = await api.post("/api/v1/messages/read", headers=other.headers,
                       json={"ids": [page["items"][1]["id"]]})
    assert r.json()["marked"] == 0  # not theirs
    r = await api.post("/api/v1/messages/read", headers=me.headers, json={"all": True})
    assert r.json() == {"marked": 2, "unread": 0}
    r = await api.post("/api/v1/messages/read", headers=me.headers, json={})
    assert r.status_code == 400 and r.json()["error"]["code"] == "NOTHING_TO_MARK"
    assert (await api.get("/api/v1/messages", headers=other.headers)).json()["items"] == []
    assert (await api.get("/api/v1/messages")).status_code == 401


async def _next_event(lines: Any) -> tuple[str, dict[str, Any]]:
    name = ""
    async for line in lines:
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            return name, json.loads(line[6:])
    raise AssertionError("stream ended")


async def test_live_stream_carries_new_messages(api: httpx.AsyncClient, citizen: Any,
                                                make_dispatcher: Any) -> None:
    me = await citizen()
    async with api.stream("GET", "/api/v1/messages/stream", headers=me.headers) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        lines = r.aiter_lines()
        name, data = await asyncio.wait_for(_next_event(lines), 10)
        assert name == "ready" and data == {"unread": 0}
        await emit_event("case.supplement_requested", me.person_id, reason="缺少营业执照副本")
        await make_dispatcher().drain()
        name, data = await asyncio.wait_for(_next_event(lines), 10)
    assert name == "message" and data["title"] == "补正通知"
    assert "缺少营业执照副本" in data["body"]


async def test_devices_and_preferences(api: httpx.AsyncClient, citizen: Any, jpush: Any,
                                       make_dispatcher: Any) -> None:
    me = await citizen()
    reg = f"reg{uuid.uuid4().hex[:12]}"
    r = await api.post("/api/v1/push/devices", headers=me.headers,
                       json={"registration_id": reg, "platform": "ios"})
    assert r.status_code == 201, r.text
    bad = await api.post("/api/v1/push/devices", headers=me.headers,
                         json={"registration_id": "坏的 id"})
    assert bad.status_code == 422
    event = await emit_event("case.accepted", me.person_id)
    await make_dispatcher().drain()
    n = await Notification.get(event_id=event)
    assert (await Delivery.get(notification_id=n.id)).recipient == reg

    r = await api.put("/api/v1/push/preferences", headers=me.headers,
                      json={"mute_normal": True, "disabled_channels": ["sms", "nonsense"]})
    assert r.json() == {"mute_normal": True, "mute_bulk": False, "disabled_channels": ["sms"]}
    muted = await emit_event("case.under_review", me.person_id)
    legal = await emit_event("case.refused", me.person_id, reason="不属于本部门受理范围")
    await make_dispatcher().drain()
    m, lg = await Notification.get(event_id=muted), await Notification.get(event_id=legal)
    assert m.state == "muted" and not await Delivery.filter(notification_id=m.id).exists()
    assert await InboxMessage.filter(notification_id=m.id).exists()  # the inbox always
    assert lg.state == "delivered"  # legal notices can't be muted
    assert [s["channel"] for s in lg.route] == ["app_push", "sms"]

    r = await api.delete(f"/api/v1/push/devices/{reg}", headers=me.headers)
    assert r.status_code == 200
    r = await api.delete(f"/api/v1/push/devices/{reg}x", headers=me.headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "DEVICE_NOT_FOUND"


async def test_campaign_preview_send_progress_and_audit(
    api: httpx.AsyncClient, staff: Any, make_dispatcher: Any, jpush: Any
) -> None:
    operator = await staff(roles=["operator"])
    clerk = await staff(roles=["clerk"])
    people = [await new_person(devices=1) for _ in range(3)]
    for p, _, _ in people:  # a campaign reaches only people with a case with the department
        await _case_for(p, operator.department_code)
    body = {"title": "医保缴费提醒", "body": "2027年度城乡居民医保缴费已开始，可在掌上办缴纳。",
            "audience": {"kind": "persons", "person_ids": [p for p, _, _ in people]},
            "rate_limits": {"app_push": 100}}
    r = await api.post("/api/v1/staff/push/campaigns", headers=clerk.headers, json=body)
    assert r.status_code == 403
    bad = await api.post("/api/v1/staff/push/campaigns", headers=operator.headers,
                         json={**body, "audience": {"kind": "item_state"}})
    assert bad.status_code == 422
    r = await api.post("/api/v1/staff/push/campaigns", headers=operator.headers, json=body)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    r = await api.get(f"/api/v1/staff/push/campaigns/{cid}/preview", headers=operator.headers)
    assert r.json()["audience_size"] == 3
    assert r.json()["channels"]["app_push"] == {"title": "医保缴费提醒", "alert": body["body"]}
    r = await api.post(f"/api/v1/staff/push/campaigns/{cid}/send", headers=operator.headers)
    assert r.status_code == 200 and r.json()["state"] == "sending"

    await make_dispatcher().drain()
    r = await api.get(f"/api/v1/staff/push/campaigns/{cid}", headers=operator.headers)
    out = r.json()
    assert out["state"] == "delivering" and out["expanded"] == 3
    assert out["progress"]["channels"] == {"app_push": {"sent": 3}}
    again = await api.post(f"/api/v1/staff/push/campaigns/{cid}/send", headers=operator.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "CAMPAIGN_STATE"
    actions = set(await AuditLog.filter(target=f"campaign:{cid}").values_list("action", flat=True))
    assert actions == {"push.campaign.create", "push.campaign.send"}
    missing = await api.get("/api/v1/staff/push/campaigns/999999", headers=operator.headers)
    assert missing.status_code == 404


async def test_campaign_pause_resume_and_cancel(api: httpx.AsyncClient, staff: Any,
                                                make_dispatcher: Any, jpush: Any) -> None:
    operator = await staff(roles=["operator"])
    people = [await new_person(devices=1) for _ in range(2)]
    for p, _, _ in people:
        await _case_for(p, operator.department_code)
    r = await api.post("/api/v1/staff/push/campaigns", headers=operator.headers, json={
        "title": "办事大厅搬迁", "body": "市民中心办事大厅将于下月迁至新址。",
        "audience": {"kind": "persons", "person_ids": [p for p, _, _ in people]}})
    cid = r.json()["id"]
    await api.post(f"/api/v1/staff/push/campaigns/{cid}/send", headers=operator.headers)
    dispatcher = make_dispatcher()
    await dispatcher.campaigns_once()  # expanded, not yet delivered
    r = await api.post(f"/api/v1/staff/push/campaigns/{cid}/pause", headers=operator.headers)
    assert r.json()["state"] == "paused"
    assert r.json()["progress"]["channels"] == {"app_push": {"paused": 2}}
    await dispatcher.drain()
    assert await Delivery.filter(campaign_id=cid, state="sent").count() == 0
    r = await api.post(f"/api/v1/staff/push/campaigns/{cid}/send", headers=operator.headers)
    assert r.json()["state"] in {"sending", "delivering"}
    await dispatcher.drain()
    assert await Delivery.filter(campaign_id=cid, state="sent").count() == 2
    r = await api.post(f"/api/v1/staff/push/campaigns/{cid}/cancel", headers=operator.headers)
    assert r.json()["state"] == "cancelled"
    r = await api.post(f"/api/v1/staff/push/campaigns/{cid}/pause", headers=operator.headers)
    assert r.status_code == 409


async def _case_for(person_id: int, department_code: str) -> Case:
    dept, _ = await Department.get_or_create(code=department_code,
                                             defaults={"name": f"测试部门{department_code}"})
    item = await ServiceItem.create(basic_code="B1", code=f"P{uuid.uuid4().hex[:10]}",
                                    department=dept)
    version = await ServiceItemVersion.create(
        item=item, version=1, name="食品经营许可", item_type="行政许可", legal_limit_days=20,
        promised_limit_days=10, online_depth="不见面")
    return await Case.create(number=f"P{uuid.uuid4().int % 10**14:014d}", person_id=person_id,
                             item=item, item_version=version, item_name=version.name,
                             department=dept, status="accepted")


async def test_single_message_to_the_person_of_a_case(api: httpx.AsyncClient, staff: Any,
                                                      citizen: Any) -> None:
    me = await citizen()
    clerk = await staff(roles=["clerk"], department="PUSHA")
    stranger = await staff(roles=["operator"], department="PUSHB")
    case = await _case_for(me.person_id, "PUSHA")
    msg = {"case_id": case.id, "body": "请携带身份证原件到3号窗口核验。"}
    r = await api.post("/api/v1/staff/push/messages", headers=stranger.headers, json=msg)
    assert r.status_code == 404 and r.json()["error"]["code"] == "CASE_NOT_FOUND"
    r = await api.post("/api/v1/staff/push/messages", headers=clerk.headers, json=msg)
    assert r.status_code == 201, r.text
    items = (await api.get("/api/v1/messages", headers=me.headers)).json()["items"]
    assert items[0]["title"] == "办件提醒" and items[0]["case_id"] == case.id
    assert "3号窗口" in items[0]["body"]
    assert await AuditLog.filter(action="push.direct", target=f"case:{case.id}").exists()


async def _accepted_template_delivery(openid: str) -> tuple[Notification, str]:
    person, _, _ = await new_person()
    n = await Notification.create(dedupe_key=f"t:{uuid.uuid4().hex}", person_id=person,
                                  event_type="case.accepted", priority="normal", title="t",
                                  body="b", state="delivered")
    msgid = str(uuid.uuid4().int % 10**12)
    await Delivery.create(notification=n, channel="wechat_template", recipient=openid,
                          state="accepted", platform_message_id=msgid)
    return n, msgid


async def test_template_receipts_are_idempotent(server: Any) -> None:
    n, msgid = await _accepted_template_delivery("o1")
    assert await _receipt("wechat_template", msgid, True, "success")
    assert not await _receipt("wechat_template", msgid, True, "success")
    assert not await _receipt("wechat_template", msgid, False, "failed:user block")
    d = await Delivery.get(notification_id=n.id)
    assert d.state == "delivered" and d.raw_code == "success"
    assert not await _receipt("wechat_template", "nope", True, None)


async def test_scheduled_campaign_waits_for_its_time(api: httpx.AsyncClient, staff: Any,
                                                     make_dispatcher: Any) -> None:
    operator = await staff(roles=["operator"])
    person, _, _ = await new_person(devices=1)
    await _case_for(person, operator.department_code)
    body = {"title": "春节假期安排", "body": "春节期间线上办理不停歇。",
            "scheduled_at": "2099-01-20T09:00:00",
            "audience": {"kind": "persons", "person_ids": [person]}}
    r = await api.post("/api/v1/staff/push/campaigns", headers=operator.headers,
                       json={**body, "rate_limits": {"app_push": 0}})
    assert r.status_code == 422  # a rate of 0 would never send
    r = await api.post("/api/v1/staff/push/campaigns", headers=operator.headers, json=body)
    cid = r.json()["id"]
    assert r.json()["scheduled_at"].startswith("2099-01-20T01:00:00")  # 09:00 Beijing
    r = await api.post(f"/api/v1/staff/push/campaigns/{cid}/send", headers=operator.headers)
    assert r.json()["state"] == "scheduled"
    await make_dispatcher().drain()
    r = await api.get(f"/api/v1/staff/push/campaigns/{cid}", headers=operator.headers)
    assert r.json()["state"] == "scheduled" and r.json()["expanded"] == 0
    await api.post(f"/api/v1/staff/push/campaigns/{cid}/cancel", headers=operator.headers)


async def test_a_receipt_for_another_recipient_changes_nothing(server: Any) -> None:
    n, msgid = await _accepted_template_delivery("o-mine")
    assert not await _receipt("wechat_template", msgid, False, "x", "o-other")
    assert not await _receipt("wechat_template", "", True, "success")
    assert await _receipt("wechat_template", msgid, True, "s" * 100, "o-mine")
    d = await Delivery.get(notification_id=n.id)
    assert d.state == "delivered" and d.raw_code == "s" * 64


async def test_campaigns_stay_in_their_department_and_bad_input_is_a_422(
    api: httpx.AsyncClient, staff: Any
) -> None:
    mine = await staff(roles=["operator"], department="PUSHC")
    other = await staff(roles=["operator"], department="PUSHD")
    person, _, _ = await new_person(devices=1)
    body = {"title": "通知", "body": "内容", "audience": {"kind": "persons",
                                                      "person_ids": [person]}}
    r = await api.post("/api/v1/staff/push/campaigns", headers=mine.headers, json=body)
    cid = r.json()["id"]
    for path in ("", "/preview", "/send", "/pause", "/cancel"):
        call = api.get if path in ("", "/preview") else api.post
        r = await call(f"/api/v1/staff/push/campaigns/{cid}{path}", headers=other.headers)
        assert r.status_code == 404 and r.json()["error"]["code"] == "CAMPAIGN_NOT_FOUND"
    r = await api.post("/api/v1/staff/push/campaigns", headers=mine.headers, json={
        **body, "audience": {"kind": "department", "department_id": other.department_id}})
    assert r.status_code == 404 and r.json()["error"]["code"] == "DEPARTMENT_NOT_FOUND"
    r = await api.get(f"/api/v1/staff/push/campaigns/{2**40}", headers=mine.headers)
    assert r.status_code == 404
    bad_bodies = [
        {**body, "link": "javascript:alert(1)"},
        {**body, "audience": {"kind": "persons", "person_ids": [2**40]}},
        {**body, "audience": {"kind": "item_state", "item_id": 1, "status": "nonsense"}},
        {**body, "rate_limits": {"fax": 5}},
    ]
    for bad in bad_bodies:
        r = await api.post("/api/v1/staff/push/campaigns", headers=mine.headers, json=bad)
        assert r.status_code == 422, bad
    r = await api.post("/api/v1/staff/push/messages", headers=mine.headers,
                       json={"case_id": 2**40, "body": "x"})
    assert r.status_code == 422
    r = await api.get(f"/api/v1/staff/push/campaigns/{cid}", headers=mine.headers)
    assert r.status_code == 200 and r.json()["state"] == "draft"


async def test_a_failure_receipt_falls_through_to_the_next_channel(server: Any) -> None:
    n, msgid = await _accepted_template_delivery("o-blocked")
    n.route = [{"channel": "wechat_template", "recipient": "o-blocked"},
               {"channel": "app_push", "recipient": "reg-next"}]
    await n.save(update_fields=["route"])
    assert await _receipt("wechat_template", msgid, False, "failed:user block", "o-blocked")
    steps = {d.channel: d for d in await Delivery.filter(notification_id=n.id)}
    assert steps["wechat_template"].state == "failed"
    assert steps["wechat_template"].raw_code == "failed:user block"
    assert steps["app_push"].state == "queued" and steps["app_push"].step == 1
    assert steps["app_push"].recipient == "reg-next"
    assert (await Notification.get(id=n.id)).state == "pending"


async def test_falling_through_at_night_keeps_quiet_hours(server: Any) -> None:
    from datetime import datetime

    from tortoise.transactions import in_transaction

    from app.clock import SHANGHAI
    from push.delivery import fall_through

    night = datetime(2026, 11, 22, 23, 0, tzinfo=SHANGHAI)
    route = [{"channel": "wechat_template", "recipient": "oNIGHT"},
             {"channel": "app_push", "recipient": "reg-night"}]
    for rank, expected in ((1, datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)), (0, night)):
        person, _, _ = await new_person()
        n = await Notification.create(dedupe_key=f"q:{uuid.uuid4().hex}", person_id=person,
                                      event_type="t", priority="normal", title="t", body="b",
                                      route=route)
        row = {"notification_id": n.id, "step": 0, "rank": rank, "campaign_id": None}
        async with in_transaction() as conn:
            await fall_through(conn, row, route, night, quiet_hours="22:00-08:00")
        nxt = await Delivery.get(notification_id=n.id, channel="app_push")
        assert nxt.next_attempt_at == expected


async def test_an_item_state_audience_stays_in_the_department(
    api: httpx.AsyncClient, staff: Any
) -> None:
    mine = await staff(roles=["operator"], department="PUSHE")
    other = await staff(roles=["operator"], department="PUSHF")
    theirs = await ServiceItem.create(basic_code=f"F{uuid.uuid4().hex[:8]}",
                                      code=f"PUSHF-{uuid.uuid4().hex[:8]}",
                                      department_id=other.department_id)
    body = {"title": "通知", "body": "内容",
            "audience": {"kind": "item_state", "item_id": theirs.id, "status": "accepted"}}
    r = await api.post("/api/v1/staff/push/campaigns", headers=mine.headers, json=body)
    assert r.status_code == 404 and r.json()["error"]["code"] == "ITEM_NOT_FOUND"
    r = await api.post("/api/v1/staff/push/campaigns", headers=other.headers, json=body)
    assert r.status_code == 201, r.text
