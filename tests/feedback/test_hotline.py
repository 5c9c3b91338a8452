"""The 12345 round trip against the hotline simulator: a signed dispatch becomes a ticket of
the named department; its answer goes back to the hotline as a retried job; the return-call
verdict closes or reopens it. Forged, stale, tampered and replayed callbacks change nothing;
a redelivery is answered as the first was."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx

from app import clock
from app.security import pii
from models.jobs import JobState, PlatformJob
from models.tickets import HotlineCallback, Ticket
from tests.cases.conftest import filed_case
from tests.feedback.support import department, send_jobs
from tests.support.pii_registry import new_phone


async def _sim(sims: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=15) as client:
        r = await client.post(sims["hotline"].base_url + path, json=body)
        r.raise_for_status()
        return dict(r.json())


async def _tickets(ticket_no: str) -> list[Ticket]:
    return list(await Ticket.filter(source_ref=f"hotline:{ticket_no}"))


async def test_round_trip(api: Any, staff: Any, server: Any, sims: Any) -> None:
    dept = await department(staff)
    phone = new_phone()
    sent = await _sim(sims, "/_sim/dispatch", {
        "typeCode": "02", "title": "窗口办事排队太久", "content": "来电人反映排队两小时。",
        "callerName": "王五", "callerPhone": phone, "deptCode": dept.code, "limitDays": 3})
    [answer] = sent["answers"]
    assert answer["http"] == 200 and answer["body"]["code"] == "0", answer
    [ticket] = await _tickets(sent["ticketNo"])
    assert answer["body"]["data"]["localNo"] == ticket.number
    assert (ticket.channel, ticket.department_id, ticket.limit_days, ticket.type) == (
        "hotline", dept.id, 3, "complaint")
    seen = (await api.get(f"/api/v1/staff/tickets/{ticket.id}", headers=dept.clerk.headers)
            ).json()
    assert seen["contact"]["name"] == "王*" and seen["contact"]["phone"] == (
        phone[:3] + "****" + phone[-4:])
    raw = await HotlineCallback.get(dispatch_id=sent["dispatchId"])
    assert raw.verified and raw.outcome == "applied" and raw.ticket_id == ticket.id
    assert phone not in raw.body_enc and phone in pii.decrypt(raw.body_enc)  # sealed

    r = await api.post(f"/api/v1/staff/tickets/{ticket.id}/reply",
                       json={"text": "已增开窗口，排队时间缩短至20分钟。"},
                       headers=dept.clerk.headers)
    assert r.status_code == 200
    held = sims["hotline"].app["state"]["tickets"][sent["ticketNo"]]
    assert held["replies"] == []  # not inside the request
    sims["hotline"].app["state"]["faults"].append({"times": 1, "code": "5000"})
    await send_jobs(server)
    job = await PlatformJob.filter(edge="hotline", key__endswith=f"-{ticket.id}").first()
    assert job is not None and job.state == JobState.queued and job.attempts == 1
    await send_jobs(server, now=clock.now() + timedelta(hours=1))
    assert (await PlatformJob.get(id=job.id)).state == JobState.done
    [reply] = held["replies"]
    assert reply["content"].startswith("已增开窗口") and reply["deptCode"] == dept.code

    verdict = await _sim(sims, "/_sim/feedback", {"ticketNo": sent["ticketNo"],
                                                  "satisfied": True})
    assert verdict["answers"][0]["body"]["code"] == "0"
    ticket = await Ticket.get(id=ticket.id)
    assert (ticket.state, ticket.close_reason) == ("closed", "confirmed")


async def test_an_unsatisfied_caller_reopens_it(api: Any, staff: Any, server: Any,
                                                sims: Any) -> None:
    dept = await department(staff)
    sent = await _sim(sims, "/_sim/dispatch", {"typeCode": "01", "deptCode": dept.code,
                                               "callerPhone": new_phone(), "title": "咨询社保"})
    [ticket] = await _tickets(sent["ticketNo"])
    early = await _sim(sims, "/_sim/feedback", {"ticketNo": sent["ticketNo"], "satisfied": True})
    assert early["answers"][0]["http"] == 200  # acknowledged, but nothing to confirm yet
    assert (await Ticket.get(id=ticket.id)).state == "handling"
    await api.post(f"/api/v1/staff/tickets/{ticket.id}/reply", json={"text": "请咨询社保窗口"},
                   headers=dept.clerk.headers)
    await _sim(sims, "/_sim/feedback", {"ticketNo": sent["ticketNo"], "satisfied": False,
                                        "comment": "答非所问"})
    ticket = await Ticket.get(id=ticket.id)
    assert (ticket.state, ticket.reopen_count) == ("handling", 1)
    unknown = await _sim(sims, "/_sim/feedback", {"ticketNo": "12345-NOPE", "satisfied": True})
    assert unknown["answers"][0]["http"] == 404 and unknown["answers"][0]["body"]["code"] == "2004"


async def test_forged_stale_tampered_and_replayed_change_nothing(staff: Any, sims: Any) -> None:
    dept = await department(staff)
    for fault, status, code in (("forge", 401, "1001"), ("stale", 401, "1002"),
                                ("tamper", 401, "1001")):
        sent = await _sim(sims, "/_sim/dispatch", {"deptCode": dept.code, "fault": fault,
                                                   "callerPhone": new_phone()})
        [answer] = sent["answers"]
        assert (answer["http"], answer["body"]["code"]) == (status, code), fault
        assert await _tickets(sent["ticketNo"]) == []
        assert not await HotlineCallback.filter(dispatch_id=sent["dispatchId"]).exists()

    sent = await _sim(sims, "/_sim/dispatch", {"deptCode": dept.code, "fault": "replay",
                                               "callerPhone": new_phone()})
    first, second = sent["answers"]
    assert first["http"] == 200 and (second["http"], second["body"]["code"]) == (409, "1003")
    assert len(await _tickets(sent["ticketNo"])) == 1

    sent = await _sim(sims, "/_sim/dispatch", {"deptCode": dept.code, "fault": "redeliver",
                                               "callerPhone": new_phone()})
    first, second = sent["answers"]
    assert first["http"] == second["http"] == 200
    assert first["body"]["data"]["localNo"] == second["body"]["data"]["localNo"]
    assert len(await _tickets(sent["ticketNo"])) == 1
    assert (await HotlineCallback.get(dispatch_id=sent["dispatchId"])).deliveries == 2


async def test_routing_and_duplicates_from_the_hotline(api: Any, citizen: Any, staff: Any,
                                                       server: Any, sims: Any) -> None:
    dept, me = await department(staff), await citizen()
    unknown = await _sim(sims, "/_sim/dispatch", {"deptCode": "NOT-OURS",
                                                  "callerPhone": new_phone()})
    [t] = await _tickets(unknown["ticketNo"])
    assert (t.state, t.department_id) == ("dispatching", None)
    case = await filed_case(api, me.headers, dept.item)
    by_case = await _sim(sims, "/_sim/dispatch", {"caseNo": case["number"],
                                                  "callerPhone": new_phone()})
    [t] = await _tickets(by_case["ticketNo"])
    assert (t.department_id, t.case_id) == (dept.id, case["id"])

    phone = new_phone()
    body = {"deptCode": dept.code, "callerPhone": phone, "title": "路灯不亮", "typeCode": "04"}
    one = await _sim(sims, "/_sim/dispatch", body)
    two = await _sim(sims, "/_sim/dispatch", {**body, "title": "路灯 不亮！"})
    [first], [again] = await _tickets(one["ticketNo"]), await _tickets(two["ticketNo"])
    assert (again.state, again.duplicate_of_id) == ("merged", first.id)
    r = await api.post(f"/api/v1/staff/tickets/{first.id}/reply", json={"text": "已维修"},
                       headers=dept.clerk.headers)
    assert r.status_code == 200
    await send_jobs(server)
    held = sims["hotline"].app["state"]["tickets"]
    assert [x["content"] for x in held[one["ticketNo"]]["replies"]] == ["已维修"]
    assert [x["content"] for x in held[two["ticketNo"]]["replies"]] == ["已维修"]


async def test_a_body_too_large_or_not_json(api: Any, sims: Any) -> None:
    r = await api.post("/callbacks/hotline", content=b"x" * (64 * 1024 + 1))
    assert r.status_code == 413
    r = await api.post("/callbacks/hotline", content=json.dumps({"event": "dispatch"}))
    assert r.status_code == 401 and r.json()["code"] == "1001"
