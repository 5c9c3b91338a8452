"""Staff handling: second 补正 with sign-off, review-stage 补正, special stages, deny, refuse,
fees at approval and at submission, the queue by colour, concurrent actions."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from app import clock
from app.cases.transitions import Actor, transition
from models.cases import Case, CaseStatus, ClockPause
from models.core import OutboxEvent
from tests.cases.conftest import PNG, filed_case, make_item, upload

DEFECT = {"material_code": "M02", "problem": "照片模糊", "requirement": "提交清晰照片",
          "legal_clause": "《行政许可法》第三十二条"}


@pytest.fixture(scope="module")
async def team(staff: Any) -> dict[str, Any]:
    dept = f"S{uuid.uuid4().hex[:6]}"
    return {
        "clerk": await staff(roles=["clerk"], department=dept),
        "reviewer": await staff(roles=["reviewer"], department=dept),
        "reviewer2": await staff(roles=["reviewer", "clerk"], department=dept),
    }


async def staff_post(api: Any, who: Any, cid: int, action: str, body: Any = None) -> Any:
    return await api.post(f"/api/v1/staff/cases/{cid}/{action}", headers=who.headers,
                          json=body if body is not None else {})


async def answer_all(api: Any, me: Any, cid: int) -> dict[str, Any]:
    detail = (await api.get(f"/api/v1/cases/{cid}", headers=me.headers)).json()
    notice = next(n for n in detail["supplements"] if n["status"] == "open")
    for entry in notice["items"]:
        photo = (await upload(api, me.headers, cid, entry["material_code"], PNG + b"1")).json()
        r = await api.post(f"/api/v1/cases/{cid}/supplements/{notice['id']}/items/{entry['id']}",
                           headers=me.headers, json={"material_id": photo["id"]})
        assert r.status_code == 200, r.text
    r = await api.post(f"/api/v1/cases/{cid}/resubmit", headers=me.headers)
    assert r.status_code == 200, r.text
    return r.json()


async def test_second_supplement_needs_reviewer_sign_off(
    api: Any, citizen: Any, team: dict[str, Any]
) -> None:
    me = await citizen()
    item = await make_item(team["clerk"].department_id)
    cid = (await filed_case(api, me.headers, item))["id"]
    assert (await staff_post(api, team["clerk"], cid, "supplement", {"items": [DEFECT]})).json()[
        "status"] == "open"
    await answer_all(api, me, cid)

    r = await staff_post(api, team["reviewer2"], cid, "supplement", {"items": [DEFECT]})
    assert r.status_code == 201
    second = r.json()
    assert second["status"] == "pending_signoff" and second["supervision_flag"]
    assert second["case"]["status"] == "resubmitted" and second["case"]["supervision_flag"]
    r = await staff_post(api, team["clerk"], cid, "accept")
    assert r.status_code == 409 and r.json()["error"]["code"] == "SUPPLEMENT_PENDING_SIGNOFF"
    r = await staff_post(api, team["clerk"], cid, f"supplements/{second['id']}/sign-off")
    assert r.status_code == 403  # a clerk is not a reviewer
    r = await staff_post(api, team["reviewer2"], cid, f"supplements/{second['id']}/sign-off")
    assert r.status_code == 403 and r.json()["error"]["code"] == "SIGNOFF_SELF"
    r = await staff_post(api, team["reviewer"], cid, f"supplements/{second['id']}/sign-off")
    assert r.status_code == 200, r.text
    case = r.json()
    assert case["status"] == "supplement_requested" and case["supervision_flag"]
    assert case["timeline"][-1]["data"]["second"] is True
    assert [n["signed_off"] for n in case["supplements"]] == [False, True]


async def test_review_supplement_and_special_stages_pause_the_clock(
    api: Any, citizen: Any, team: dict[str, Any]
) -> None:
    me = await citizen()
    item = await make_item(team["clerk"].department_id)
    cid = (await filed_case(api, me.headers, item))["id"]
    assert (await staff_post(api, team["clerk"], cid, "accept")).status_code == 200
    r = await staff_post(api, team["reviewer"], cid, "supplement", {"items": [DEFECT]})
    assert r.json()["stage"] == "review" and r.json()["status"] == "open"
    r = await api.post(f"/api/v1/cases/{cid}/withdraw", headers=me.headers, json={})
    assert r.status_code == 409 and r.json()["error"]["code"] == "ILLEGAL_TRANSITION"
    detail = await answer_all(api, me, cid)
    assert detail["public_progress"] == "审批中" and detail["clock"]["started"]
    assert (await staff_post(api, team["clerk"], cid, "accept")).status_code == 409
    assert (await staff_post(api, team["reviewer"], cid, "review")).json()["status"] == (
        "under_review")

    r = await staff_post(api, team["reviewer"], cid, "special-stage/start", {"name": "不存在"})
    assert r.status_code == 422
    r = await staff_post(api, team["reviewer"], cid, "special-stage/start", {"name": "专家评审"})
    case = r.json()
    assert case["status"] == "special_stage" and case["public_progress"] == "特别程序"
    assert case["special_stage"] == "专家评审" and case["clock"]["paused"]
    r = await staff_post(api, team["reviewer"], cid, "special-stage/end", {})
    assert r.json()["status"] == "under_review" and not r.json()["clock"]["paused"]
    r = await staff_post(api, team["reviewer"], cid, "special-stage/start", {"name": "现场核查"})
    assert not r.json()["clock"]["paused"]  # a stage that counts toward the limit
    await staff_post(api, team["reviewer"], cid, "special-stage/end", {})
    kinds = await ClockPause.filter(case_id=cid).order_by("id").values_list("kind", "ended_at")
    assert [k for k, _ in kinds] == ["supplement", "special_stage"]
    assert all(ended is not None for _, ended in kinds)

    r = await staff_post(api, team["reviewer"], cid, "deny", {})
    assert r.status_code == 422  # a denial states its reason
    r = await staff_post(api, team["reviewer"], cid, "deny", {"reason": "不符合换领条件"})
    assert r.json()["status"] == "denied" and r.json()["decision_reason"] == "不符合换领条件"
    r = await staff_post(api, team["clerk"], cid, "complete")
    assert r.json()["status"] == "completed" and r.json()["public_progress"] == "已办结"
    types = await OutboxEvent.filter(aggregate_id=str(cid), priority="critical").values_list(
        "event_type", flat=True)
    assert set(types) == {"case.supplement_requested", "case.denied", "case.completed"}


async def test_refused_case_is_final_and_illegal_moves_change_nothing(
    api: Any, citizen: Any, team: dict[str, Any]
) -> None:
    me = await citizen()
    cid = (await filed_case(api, me.headers, await make_item(team["clerk"].department_id)))["id"]
    r = await staff_post(api, team["clerk"], cid, "refuse", {"reason": "不属于本机关职权范围"})
    assert r.json()["status"] == "refused" and r.json()["public_progress"] == "已办结"
    before = await Case.get(id=cid)
    for action in ("accept", "approve", "issue-result", "complete", "review"):
        who = team["reviewer2"]
        r = await staff_post(api, who, cid, action)
        assert r.status_code == 409, (action, r.text)
        assert r.json()["error"]["code"] == "ILLEGAL_TRANSITION"
    after = await Case.get(id=cid)
    assert (after.status, after.event_seq) == (before.status, before.event_seq)


async def pay(cid: int) -> None:
    """What the payments service does when a payment is confirmed."""
    async with in_transaction() as conn:
        case = await Case.get(id=cid)
        await transition(case, CaseStatus.paid, actor=Actor("platform", "wechatpay"),
                         connection=conn)


async def test_fees_after_approval(api: Any, citizen: Any, team: dict[str, Any]) -> None:
    me = await citizen()
    fees = [{"name": "工本费", "amount_fen": 2000, "nontax_code": "103040100199"}]
    item = await make_item(team["clerk"].department_id, fees=fees, fee_timing="approval")
    cid = (await filed_case(api, me.headers, item))["id"]
    await staff_post(api, team["clerk"], cid, "accept")
    r = await staff_post(api, team["reviewer"], cid, "approve", {"reason": "符合条件"})
    case = r.json()
    assert case["status"] == "fee_due" and case["fees"] == {
        "stage": "approval", "total_fen": 2000, "paid_at": None}
    assert [e["to"] for e in case["timeline"][-2:]] == ["approved", "fee_due"]
    r = await staff_post(api, team["clerk"], cid, "issue-result")
    assert r.status_code == 409
    event = await OutboxEvent.filter(aggregate_id=str(cid), event_type="case.fee_due").get()
    assert event.priority == "critical" and event.person_id == me.person_id
    await pay(cid)
    r = await staff_post(api, team["clerk"], cid, "issue-result", {"note": "已出证"})
    assert r.json()["status"] == "result_issued" and r.json()["fees"]["paid_at"]


async def test_fees_at_submission(api: Any, citizen: Any, team: dict[str, Any]) -> None:
    me = await citizen()
    fees = [{"name": "考试费", "amount_fen": 5000, "nontax_code": "103040100199"}]
    item = await make_item(team["clerk"].department_id, fees=fees, fee_timing="submission")
    case = await filed_case(api, me.headers, item)
    assert case["status"] == "fee_due" and case["public_progress"] == "已收件"
    assert (await staff_post(api, team["clerk"], case["id"], "accept")).status_code == 409
    await pay(case["id"])
    after = (await api.get(f"/api/v1/cases/{case['id']}", headers=me.headers)).json()
    assert [e["to"] for e in after["timeline"]] == [
        "draft", "fee_due", "paid", "submitted"]
    assert after["timeline"][-1]["actor"]["kind"] == "system" and after["timeline_intact"]
    assert (await staff_post(api, team["clerk"], case["id"], "accept")).status_code == 200


async def test_queue_by_status_and_colour(api: Any, citizen: Any, team: dict[str, Any]) -> None:
    me = await citizen()
    item = await make_item(team["clerk"].department_id, promised_limit_days=3)
    fresh = (await filed_case(api, me.headers, item))["id"]
    late = (await filed_case(api, me.headers, item))["id"]
    for cid in (fresh, late):
        assert (await staff_post(api, team["clerk"], cid, "accept")).status_code == 200
    await Case.filter(id=late).update(accepted_at=clock.now() - timedelta(days=30))

    async def queue(**params: str) -> list[int]:
        r = await api.get("/api/v1/staff/cases", params=params, headers=team["reviewer"].headers)
        assert r.status_code == 200, r.text
        return [c["id"] for c in r.json()["items"]]

    red = await queue(colour="red")
    assert late in red and fresh not in red
    green = await queue(colour="green")
    assert fresh in green and late not in green
    accepted = await queue(status="accepted,under_review", limit="200")
    assert {fresh, late} <= set(accepted)
    assert fresh not in await queue(status="submitted")
    detail = (await api.get(f"/api/v1/staff/cases/{late}", headers=team["clerk"].headers)).json()
    assert detail["clock"]["colour"] == "red" and "已超期" in detail["clock"]["explanation"]
    assert (await api.get("/api/v1/staff/cases", params={"colour": "blue"},
                          headers=team["clerk"].headers)).status_code == 422


async def test_concurrent_accepts_make_one_event(
    api: Any, citizen: Any, team: dict[str, Any]
) -> None:
    me = await citizen()
    cid = (await filed_case(api, me.headers, await make_item(team["clerk"].department_id)))["id"]
    results = await asyncio.gather(*(staff_post(api, team["clerk"], cid, "accept")
                                     for _ in range(5)))
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409, 409, 409, 409], [r.text for r in results]
    detail = (await api.get(f"/api/v1/cases/{cid}", headers=me.headers)).json()
    assert [e["to"] for e in detail["timeline"]].count("accepted") == 1
    assert detail["timeline_intact"]
