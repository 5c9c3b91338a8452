"""The journey: OTP login → real-name → search → draft → submit → 补正 → resubmit → 受理 →
approve → result → 办结, checking the clock, the public progress, the timeline and the outbox."""

from __future__ import annotations

import uuid
from typing import Any

from app import clock
from app.cases.workdays import get_calendar
from models.core import OutboxEvent
from tests.cases.conftest import PNG, filed_case, make_item, upload
from tests.support.identity_flows import consent, known_person, verify_l2


async def test_citizen_journey(api: Any, server: Any, sims: Any, citizen: Any, staff: Any) -> None:
    dept = f"J{uuid.uuid4().hex[:6]}"
    # other suites emit "case" events for made-up ids: only this test's events are compared
    last = await OutboxEvent.all().order_by("-id").first()
    since = last.id if last else 0
    clerk = await staff(roles=["clerk"], department=dept)
    reviewer = await staff(roles=["reviewer"], department=dept)
    item = await make_item(clerk.department_id, required_realname_level=2)
    await server.app.ctx.catalogue.bump()

    me = await citizen()
    await consent(api, me.headers, "realname")
    name, number = await known_person(sims["idcheck"].base_url)
    assert (await verify_l2(api, me.headers, name, number)).status_code == 200

    found = (await api.get("/api/v1/items", params={"q": item["name"]})).json()
    assert item["code"] in [i["code"] for i in found["items"]]

    case = await filed_case(api, me.headers, item)
    cid = case["id"]
    assert case["status"] == "submitted" and case["public_progress"] == "已收件"
    assert not case["clock"]["started"] and "尚未受理" in case["clock"]["explanation"]
    assert case["form"]["phone"] == "139****5678"  # masked in answers

    # 一次性告知: one notice, every defect with its legal clause
    r = await api.post(f"/api/v1/staff/cases/{cid}/supplement", headers=clerk.headers, json={
        "items": [{"material_code": "M02", "problem": "照片背景不是白色",
                   "requirement": "提交白底免冠照片", "legal_clause": "《居民身份证法》第八条"}],
        "note": "请一次性补正以下材料"})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "open" and not r.json()["supervision_flag"]
    mine = (await api.get(f"/api/v1/cases/{cid}", headers=me.headers)).json()
    assert mine["status"] == "supplement_requested" and mine["clock"]["paused"]
    notice = mine["supplements"][0]
    entry = notice["items"][0]
    assert entry["legal_clause"] == "《居民身份证法》第八条" and not entry["answered"]

    r = await api.post(f"/api/v1/cases/{cid}/resubmit", headers=me.headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "SUPPLEMENT_INCOMPLETE"
    new_photo = (await upload(api, me.headers, cid, "M02", PNG + b"white")).json()
    r = await api.post(f"/api/v1/cases/{cid}/supplements/{notice['id']}/items/{entry['id']}",
                       headers=me.headers,
                       json={"text": "已换白底照片", "material_id": new_photo["id"]})
    assert r.status_code == 200, r.text
    r = await api.post(f"/api/v1/cases/{cid}/resubmit", headers=me.headers)
    assert r.status_code == 200 and r.json()["status"] == "resubmitted", r.text
    photos = [m for m in r.json()["materials"] if m["code"] == "M02"]
    assert [m["superseded"] for m in photos] == [True, False]

    r = await api.post(f"/api/v1/staff/cases/{cid}/accept", headers=clerk.headers)
    assert r.status_code == 200, r.text
    accepted = r.json()
    today = clock.local(clock.now()).date()
    assert accepted["public_progress"] == "已受理"
    assert accepted["clock"]["started"] and accepted["clock"]["running"]
    assert accepted["clock"]["days_used"] == 0 and accepted["clock"]["colour"] == "green"
    assert accepted["clock"]["promised_due"] == get_calendar().add_workdays(today, 5).isoformat()
    assert accepted["clock"]["legal_due"] == get_calendar().add_workdays(today, 20).isoformat()

    r = await api.post(f"/api/v1/staff/cases/{cid}/approve", headers=reviewer.headers, json={})
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text
    assert not r.json()["clock"]["running"]  # stopped at the decision
    r = await api.post(f"/api/v1/staff/cases/{cid}/issue-result", headers=clerk.headers,
                       json={"note": "证件已制作"})
    assert r.status_code == 200 and r.json()["public_progress"] == "已出件", r.text
    r = await api.post(f"/api/v1/staff/cases/{cid}/complete", headers=clerk.headers, json={})
    assert r.status_code == 200, r.text

    done = (await api.get(f"/api/v1/cases/{cid}", headers=me.headers)).json()
    assert done["status"] == "completed" and done["public_progress"] == "已出件"
    assert done["timeline_intact"]
    steps = [(e["from"], e["to"]) for e in done["timeline"]]
    assert steps == [
        (None, "draft"), ("draft", "submitted"), ("submitted", "supplement_requested"),
        ("supplement_requested", "resubmitted"), ("resubmitted", "accepted"),
        ("accepted", "approved"), ("approved", "result_issued"), ("result_issued", "completed"),
    ]
    assert [e["seq"] for e in done["timeline"]] == list(range(1, 9))
    assert done["timeline"][2]["actor"]["kind"] == "staff"
    assert "id" not in done["timeline"][2]["actor"]  # citizens do not see staff ids

    listed = (await api.get("/api/v1/cases", headers=me.headers)).json()
    assert [c["number"] for c in listed["items"]] == [done["number"]]

    events = await OutboxEvent.filter(
        aggregate="case", aggregate_id=str(cid), id__gt=since
    ).order_by("id")
    assert [e.event_type for e in events] == [f"case.{to}" for _, to in steps[1:]]
    by_type = {e.event_type: e for e in events}
    assert by_type["case.supplement_requested"].priority == "critical"
    assert by_type["case.completed"].priority == "critical"
    assert by_type["case.accepted"].priority == "normal"
    payload = by_type["case.supplement_requested"].payload
    assert payload["case_no"] == done["number"] and payload["person_id"] == me.person_id
    assert payload["item_name"] == item["name"] and payload["from"] == "submitted"
    assert payload["deadline"] and payload["reason"] == "请一次性补正以下材料"
