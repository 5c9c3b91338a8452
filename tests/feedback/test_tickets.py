"""12345 tickets from our own channels: routed by their case or item (else dispatched),
per-type deadlines with yellow and red, answered, confirmed or reopened once then escalated,
transferred with a reason, duplicates linked, anonymous 举报, attachments under the material
limits, and every route scoped to its citizen or department."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app import clock
from app.settings import get_settings
from app.tickets import actions
from models.core import AuditLog, OutboxEvent
from models.push import InboxMessage, StaffAlert
from models.ratings import Rectification
from models.tickets import Attachment, Ticket, TicketEvent
from tests.cases.conftest import PNG, filed_case
from tests.feedback.support import RATE_BAD, department, drain, workday_noon

ASK = {"type": "consult", "subject": "身份证换领要带什么材料", "text": "请问换领需要哪些材料？"}


async def _open(api: Any, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    r = await api.post("/api/v1/tickets", json={**ASK, **body}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def _reply(api: Any, dept: Any, ticket_id: int, text: str = "请携带原证件和户口簿。") -> Any:
    r = await api.post(f"/api/v1/staff/tickets/{ticket_id}/reply", json={"text": text},
                       headers=dept.clerk.headers)
    assert r.status_code == 200, r.text
    return r.json()


async def test_routed_answered_confirmed_and_rated(api: Any, citizen: Any, staff: Any,
                                                   server: Any) -> None:
    dept, other, me, stranger = (await department(staff), await department(staff),
                                 await citizen(), await citizen())
    t = await _open(api, me.headers, item_code=dept.item["code"])
    assert (t["state"], t["department_id"], t["type_name"]) == ("handling", dept.id, "咨询")
    assert t["number"].startswith("T") and t["clock"]["limit_days"] == 1
    assert t["clock"]["due_date"] == workday_noon(1).date().isoformat()
    for path in ("/api/v1/tickets", "/api/v1/me/tickets"):
        assert [i["id"] for i in (await api.get(path, headers=me.headers)).json()["items"]] == [
            t["id"]]
        assert (await api.get(path, headers=stranger.headers)).json()["total"] == 0
    assert (await api.get(f"/api/v1/tickets/{t['id']}", headers=stranger.headers)
            ).status_code == 404
    assert (await api.get(f"/api/v1/staff/tickets/{t['id']}", headers=other.clerk.headers)
            ).status_code == 404
    assert (await api.get("/api/v1/staff/tickets", headers=other.clerk.headers)
            ).json()["items"] == []
    queue = (await api.get("/api/v1/staff/tickets", headers=dept.clerk.headers)).json()["items"]
    assert [i["id"] for i in queue] == [t["id"]]
    seen = (await api.get(f"/api/v1/staff/tickets/{t['id']}", headers=dept.clerk.headers)).json()
    assert seen["text"] == ASK["text"] and seen["contact"]["phone"] == (
        me.phone[:3] + "****" + me.phone[-4:])
    await drain(server)
    assert await StaffAlert.filter(kind="ticket.assigned", department_id=dept.id).exists()

    assert (await api.post(f"/api/v1/tickets/{t['id']}/rating", json={"level": 5},
                           headers=me.headers)).status_code == 409  # not answered yet
    answered = await _reply(api, dept, t["id"])
    assert answered["state"] == "replied" and answered["replies"][0]["text"].startswith("请携带")
    await drain(server)
    [told] = await InboxMessage.filter(person_id=me.person_id, category="ticket.replied")
    assert told.link == f"/tickets/{t['id']}" and t["number"] in told.body
    mine = (await api.get(f"/api/v1/tickets/{t['id']}", headers=me.headers)).json()
    assert mine["can_confirm"] and mine["replies"][0]["department_name"]
    r = await api.post(f"/api/v1/tickets/{t['id']}/confirm", headers=me.headers)
    assert r.json()["state"] == "closed" and r.json()["close_reason"] == "confirmed"
    assert (await api.post(f"/api/v1/tickets/{t['id']}/confirm", headers=me.headers)
            ).status_code == 409
    r = await api.post(f"/api/v1/tickets/{t['id']}/rating", json=RATE_BAD, headers=me.headers)
    assert r.status_code == 201, r.text
    fix = await Rectification.get(rating__ticket_id=t["id"])
    assert fix.department_id == dept.id  # every 差评 is put right, a ticket's too


async def test_reopened_once_then_escalated(api: Any, citizen: Any, staff: Any,
                                            server: Any) -> None:
    dept, me = await department(staff), await citizen()
    supervisor = await staff(roles=["supervisor"], department=dept.code)
    case = await filed_case(api, me.headers, dept.item)
    t = await _open(api, me.headers, type="complaint", subject="材料审核太慢",
                    text="提交三天没有动静", case_id=case["id"])
    assert t["department_id"] == dept.id and t["clock"]["limit_days"] == 5
    await _reply(api, dept, t["id"])
    r = await api.post(f"/api/v1/tickets/{t['id']}/reopen", json={"reason": "没有解决"},
                       headers=me.headers)
    assert r.json()["state"] == "handling"
    assert (await Ticket.get(id=t["id"])).reopen_count == 1
    await _reply(api, dept, t["id"], "已催办，今日审核完成。")
    r = await api.post(f"/api/v1/tickets/{t['id']}/reopen", json={"reason": "还是没有解决"},
                       headers=me.headers)
    assert r.json()["state"] == "escalated"
    watched = await api.get("/api/v1/staff/supervision/tickets", headers=supervisor.headers)
    assert t["id"] in [i["id"] for i in watched.json()["items"]]
    assert (await api.get("/api/v1/staff/supervision/tickets", headers=dept.clerk.headers)
            ).status_code == 403
    await drain(server)
    alert = await StaffAlert.get(kind="ticket.escalated", department_id=dept.id)
    assert alert.severity == "critical" and "还是没有解决" in alert.body
    final = await _reply(api, dept, t["id"], "局领导督办，已当场办结。")
    assert final["state"] == "replied"
    r = await api.post(f"/api/v1/tickets/{t['id']}/confirm", headers=me.headers)
    assert r.json()["state"] == "closed"
    actions_seen = await TicketEvent.filter(ticket_id=t["id"]).order_by("id").values_list(
        "action", flat=True)
    assert list(actions_seen) == ["created", "assigned", "replied", "reopened", "replied",
                                  "escalated", "replied", "closed"]


async def test_dispatched_then_transferred(api: Any, citizen: Any, staff: Any) -> None:
    a, b, me = await department(staff), await department(staff), await citizen()
    dispatcher = await staff(roles=["dispatcher"], department=a.code)
    t = await _open(api, me.headers, type="help", subject="不知道找哪个部门", text="求助")
    assert (t["state"], t["department_id"], t["clock"]) == ("dispatching", None, None)
    assert (await api.get(f"/api/v1/staff/tickets/{t['id']}", headers=a.clerk.headers)
            ).status_code == 404
    assert (await api.get("/api/v1/staff/tickets/dispatch", headers=a.clerk.headers)
            ).status_code == 403
    waiting = (await api.get("/api/v1/staff/tickets/dispatch", headers=dispatcher.headers)).json()
    assert t["id"] in [i["id"] for i in waiting["items"]]
    seen = (await api.get(f"/api/v1/staff/tickets/dispatch/{t['id']}",
                          headers=dispatcher.headers)).json()
    assert seen["contact"] is None  # only the handling department sees who sent it
    r = await api.post(f"/api/v1/staff/tickets/dispatch/{t['id']}/assign",
                       json={"department_code": "NO-SUCH"}, headers=dispatcher.headers)
    assert r.status_code == 404
    r = await api.post(f"/api/v1/staff/tickets/dispatch/{t['id']}/assign",
                       json={"department_code": a.code, "reason": "属窗口业务"},
                       headers=dispatcher.headers)
    assert r.status_code == 200 and r.json()["state"] == "handling"
    assert (await api.post(f"/api/v1/staff/tickets/dispatch/{t['id']}/assign",
                           json={"department_code": b.code}, headers=dispatcher.headers)
            ).status_code == 404
    bad = await api.post(f"/api/v1/staff/tickets/{t['id']}/transfer",
                         json={"department_code": b.code}, headers=a.clerk.headers)
    assert bad.status_code == 422  # a reason is required
    r = await api.post(f"/api/v1/staff/tickets/{t['id']}/transfer",
                       json={"department_code": b.code, "reason": "属乙部门职责"},
                       headers=a.clerk.headers)
    assert r.status_code == 200 and r.json()["department_id"] == b.id
    assert (await api.get(f"/api/v1/staff/tickets/{t['id']}", headers=a.clerk.headers)
            ).status_code == 404
    seen = (await api.get(f"/api/v1/staff/tickets/{t['id']}", headers=b.clerk.headers)).json()
    [moved] = [e for e in seen["trail"] if e["action"] == "transferred"]
    assert (moved["from_department_id"], moved["to_department_id"], moved["reason"]) == (
        a.id, b.id, "属乙部门职责")
    r = await api.post(f"/api/v1/staff/tickets/{t['id']}/transfer",
                       json={"reason": "不属本部门，退回派单"}, headers=b.clerk.headers)
    assert r.json()["state"] == "dispatching"


async def test_duplicates_within_a_day_are_merged(api: Any, citizen: Any, staff: Any) -> None:
    dept, me = await department(staff), await citizen()
    first = await _open(api, me.headers, item_code=dept.item["code"])
    again = await _open(api, me.headers, subject=" 身份证换领，要带什么材料？ ", text="再问一次")
    assert (again["state"], again["duplicate_of"]) == ("merged", first["id"])
    assert again["close_reason"] == "duplicate"
    other = await _open(api, me.headers, subject="居住证怎么办", text="另一件事")
    assert other["state"] == "dispatching" and other["duplicate_of"] is None
    await _reply(api, dept, first["id"])
    linked = (await api.get(f"/api/v1/tickets/{again['id']}", headers=me.headers)).json()
    assert linked["replies"][0]["text"].startswith("请携带") and not linked["can_confirm"]
    r = await api.post(f"/api/v1/tickets/{again['id']}/confirm", headers=me.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "TICKET_MERGED"
    seen = (await api.get(f"/api/v1/staff/tickets/{first['id']}", headers=dept.clerk.headers)
            ).json()
    assert [d["id"] for d in seen["duplicates"]] == [again["id"]]
    await Ticket.filter(id=first["id"]).update(created_at=clock.now() - timedelta(days=2))
    later = await _open(api, me.headers, item_code=dept.item["code"])
    assert later["duplicate_of"] is None  # a day later it is a new ticket


async def test_anonymous_reports_only(api: Any, citizen: Any, staff: Any) -> None:
    dept, me = await department(staff), await citizen()
    before = await Ticket.filter(person_id=me.person_id).count()
    r = await api.post("/api/v1/tickets", json={**ASK, "type": "complaint", "anonymous": True},
                       headers=me.headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "TICKET_ANONYMOUS_NOT_ALLOWED"
    assert await Ticket.filter(person_id=me.person_id).count() == before
    t = await _open(api, me.headers, type="report", subject="窗口人员收受好处",
                    text="某窗口人员索要好处费", anonymous=True, item_code=dept.item["code"])
    seen = (await api.get(f"/api/v1/staff/tickets/{t['id']}", headers=dept.clerk.headers)).json()
    assert seen["contact"] == {"anonymous": True, "name": None, "phone": None}
    stored = await Ticket.get(id=t["id"])
    assert stored.contact_phone_enc is None and stored.contact_name_enc is None
    r = await api.post(f"/api/v1/staff/tickets/{t['id']}/contact", json={"reason": "核实举报"},
                       headers=dept.clerk.headers)
    assert r.json() == {"anonymous": True, "name": None, "phone": None}
    assert (await api.get(f"/api/v1/tickets/{t['id']}", headers=me.headers)).status_code == 200


async def test_contact_read_is_audited(api: Any, citizen: Any, staff: Any) -> None:
    dept, me = await department(staff), await citizen()
    t = await _open(api, me.headers, item_code=dept.item["code"])
    short = await api.post(f"/api/v1/staff/tickets/{t['id']}/contact", json={"reason": "看"},
                           headers=dept.clerk.headers)
    assert short.status_code == 422
    r = await api.post(f"/api/v1/staff/tickets/{t['id']}/contact",
                       json={"reason": "回访来电人核实诉求"}, headers=dept.clerk.headers)
    assert r.json()["phone"] == me.phone
    log = await AuditLog.get(action="ticket.contact_read", target=f"ticket:{t['id']}")
    assert log.actor_id == str(dept.clerk.id) and log.detail["reason"] == "回访来电人核实诉求"


async def test_attachments_follow_the_material_limits(api: Any, citizen: Any, staff: Any
                                                      ) -> None:
    dept, me, stranger = await department(staff), await citizen(), await citizen()
    t = await _open(api, me.headers, item_code=dept.item["code"])
    url = f"/api/v1/tickets/{t['id']}/attachments"
    wrong = await api.post(url, files={"file": ("a.exe", b"MZ\x90\x00", "application/x")},
                           headers=me.headers)
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "UPLOAD_TYPE"
    big = b"\x89PNG\r\n\x1a\n" + b"0" * get_settings().upload_max_bytes
    r = await api.post(url, files={"file": ("big.png", big, "image/png")}, headers=me.headers)
    assert r.status_code == 413
    assert (await api.post(url, files={"file": ("p.png", PNG, "image/png")},
                           headers=stranger.headers)).status_code == 404
    assert not await Attachment.filter(owner_kind="ticket", owner_id=t["id"]).exists()
    r = await api.post(url, files={"file": ("现场照片.png", PNG, "image/png")}, headers=me.headers)
    assert r.status_code == 201 and r.json()["attachments"][0]["content_type"] == "image/png"
    staff_view = (await api.get(f"/api/v1/staff/tickets/{t['id']}", headers=dept.clerk.headers)
                  ).json()
    assert [a["filename"] for a in staff_view["attachments"]] == ["现场照片.png"]
    r = await api.post(f"/api/v1/staff/tickets/{t['id']}/close", json={"reason": "已电话答复"},
                       headers=dept.clerk.headers)
    assert r.json()["state"] == "closed"
    assert (await api.post(url, files={"file": ("p.png", PNG, "image/png")},
                           headers=me.headers)).status_code == 409


async def test_deadlines_per_type_with_yellow_and_red(api: Any, citizen: Any, staff: Any
                                                      ) -> None:
    dept, me = await department(staff), await citizen()
    ask = await _open(api, me.headers, item_code=dept.item["code"])  # 咨询: 1 working day
    complaint = await _open(api, me.headers, type="complaint", subject="办理超时",
                            text="超时", item_code=dept.item["code"])  # 投诉: 5
    started = (await Ticket.get(id=ask["id"])).clock_started_at

    async def colours(ticket_id: int) -> list[str]:
        rows = await OutboxEvent.filter(aggregate="ticket", aggregate_id=str(ticket_id),
                                        event_type__startswith="ticket.clock_")
        return sorted(e.event_type for e in rows)

    await actions.scan_overdue(now=workday_noon(1, started))
    await actions.scan_overdue(now=workday_noon(1, started))
    assert await colours(ask["id"]) == ["ticket.clock_yellow"]  # the one day is used
    assert await colours(complaint["id"]) == []
    await actions.scan_overdue(now=workday_noon(2, started))
    assert await colours(ask["id"]) == ["ticket.clock_red", "ticket.clock_yellow"]
    await actions.scan_overdue(now=workday_noon(4, started))
    assert await colours(complaint["id"]) == ["ticket.clock_yellow"]
    await Ticket.filter(id=ask["id"]).update(clock_started_at=clock.now() - timedelta(days=10))
    red = (await api.get("/api/v1/staff/tickets", params={"colour": "red"},
                         headers=dept.clerk.headers)).json()["items"]
    assert [i["id"] for i in red] == [ask["id"]] and red[0]["clock"]["colour"] == "red"

    await _reply(api, dept, complaint["id"])
    await actions.expire_confirmations(now=clock.now() + timedelta(days=6))
    assert (await Ticket.get(id=complaint["id"])).state == "replied"
    await actions.expire_confirmations(now=clock.now() + timedelta(days=8))
    closed = await Ticket.get(id=complaint["id"])
    assert (closed.state, closed.close_reason) == ("closed", "no_response")
