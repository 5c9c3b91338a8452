"""申诉: the department appeals a 差评 with evidence; a supervisor (never the one who filed it)
decides; upheld, the rating stays but no longer counts, its 整改 closes, the citizen is told
and the province hears of it."""

from __future__ import annotations

from typing import Any

from app.settings import get_settings
from models.push import InboxMessage
from models.ratings import Appeal, Rating, Rectification
from models.tickets import Attachment
from tests.cases.conftest import PDF
from tests.feedback.support import RATE_BAD, RATE_GOOD, completed_case, department, send_jobs


async def _bad_rating(api: Any, citizen: Any, dept: Any) -> tuple[Any, dict, Rating]:
    me = await citizen()
    case = await completed_case(api, me.headers, dept)
    r = await api.post(f"/api/v1/cases/{case['id']}/rating", json=RATE_BAD, headers=me.headers)
    assert r.status_code == 201
    return me, case, await Rating.get(case_id=case["id"])


async def test_upheld_appeal_excludes_the_rating(api: Any, citizen: Any, staff: Any,
                                                 server: Any, sims: Any) -> None:
    dept = await department(staff)
    supervisor = await staff(roles=["supervisor"], department=dept.code)
    me, case, rating = await _bad_rating(api, citizen, dept)
    r = await api.post(f"/api/v1/staff/ratings/{rating.id}/appeal",
                       json={"reason": "申请人所述情况与窗口录像不符"}, headers=dept.clerk.headers)
    assert r.status_code == 201, r.text
    appeal_id = r.json()["id"]
    again = await api.post(f"/api/v1/staff/ratings/{rating.id}/appeal",
                           json={"reason": "再次申诉理由"}, headers=dept.clerk.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "APPEAL_EXISTS"

    # evidence: the material limits, nothing stored when refused
    url = f"/api/v1/staff/appeals/{appeal_id}/evidence"
    bad = await api.post(url, files={"file": ("x.txt", b"plain text", "text/plain")},
                         headers=dept.clerk.headers)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "UPLOAD_TYPE"
    big = b"%PDF-" + b"0" * get_settings().upload_max_bytes
    r = await api.post(url, files={"file": ("big.pdf", big, "application/pdf")},
                       headers=dept.clerk.headers)
    assert r.status_code == 413 and r.json()["error"]["code"] == "UPLOAD_TOO_LARGE"
    assert not await Attachment.filter(owner_kind="appeal", owner_id=appeal_id).exists()
    r = await api.post(url, files={"file": ("录像截图.pdf", PDF, "application/pdf")},
                       headers=dept.clerk.headers)
    assert r.status_code == 201
    assert [e["filename"] for e in r.json()["evidence"]] == ["录像截图.pdf"]

    # only a supervisor decides, and not on their own appeal
    assert (await api.post(f"/api/v1/staff/appeals/{appeal_id}/decide",
                           json={"decision": "upheld", "note": "核实"},
                           headers=dept.clerk.headers)).status_code == 403
    pending = await api.get("/api/v1/staff/appeals", headers=supervisor.headers)
    assert appeal_id in [a["id"] for a in pending.json()["items"]]
    r = await api.post(f"/api/v1/staff/appeals/{appeal_id}/decide",
                       json={"decision": "upheld", "note": "经核实，评价内容与事实不符"},
                       headers=supervisor.headers)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "upheld"
    twice = await api.post(f"/api/v1/staff/appeals/{appeal_id}/decide",
                           json={"decision": "rejected", "note": "改判"},
                           headers=supervisor.headers)
    assert twice.status_code == 409

    rating = await Rating.get(id=rating.id)
    assert rating.excluded and rating.excluded_reason  # kept, never deleted
    fix = await Rectification.get(rating_id=rating.id)
    assert (fix.state, fix.outcome) == ("closed", "excluded")
    mine = (await api.get(f"/api/v1/cases/{case['id']}/rating", headers=me.headers)).json()
    assert mine["excluded"] and not mine["can_change"]
    assert (await api.put(f"/api/v1/cases/{case['id']}/rating", json=RATE_GOOD,
                          headers=me.headers)).json()["error"]["code"] == "RATING_EXCLUDED"
    figures = (await api.get("/api/v1/staff/supervision/ratings", headers=supervisor.headers)
               ).json()["departments"]
    [row] = [d for d in figures if d["department_id"] == dept.id]
    assert (row["counted"], row["excluded"], row["appeals"]["upheld"]) == (0, 1, 1)

    await send_jobs(server)
    [told] = await InboxMessage.filter(person_id=me.person_id, category="rating.excluded")
    assert "不计入统计" in told.body and told.link == f"/cases/{case['id']}/rate"
    held = sims["haocp"].app["state"]
    assert held["evaluations"][f"ZSB-{rating.id}"]["valid"] is False
    assert held["appeals"][f"ZSB-S{appeal_id}"]["decision"] == "upheld"


async def test_rejected_appeal_and_its_limits(api: Any, citizen: Any, staff: Any) -> None:
    dept, other = await department(staff), await department(staff)
    both = await staff(roles=["clerk", "supervisor"], department=dept.code)
    far = await staff(roles=["supervisor"], department=other.code)
    _, _, rating = await _bad_rating(api, citizen, dept)
    r = await api.post(f"/api/v1/staff/ratings/{rating.id}/appeal",
                       json={"reason": "本部门认为该差评不实"}, headers=both.headers)
    appeal_id = r.json()["id"]
    own = await api.post(f"/api/v1/staff/appeals/{appeal_id}/decide",
                         json={"decision": "upheld", "note": "自审"}, headers=both.headers)
    assert own.status_code == 409 and own.json()["error"]["code"] == "APPEAL_OWN"
    for path in (f"/api/v1/staff/appeals/{appeal_id}",):
        assert (await api.get(path, headers=far.headers)).status_code == 404
    far_decide = await api.post(f"/api/v1/staff/appeals/{appeal_id}/decide",
                                json={"decision": "upheld", "note": "越权"}, headers=far.headers)
    assert far_decide.status_code == 404
    supervisor = await staff(roles=["supervisor"], department=dept.code)
    r = await api.post(f"/api/v1/staff/appeals/{appeal_id}/decide",
                       json={"decision": "rejected", "note": "证据不足，差评有效"},
                       headers=supervisor.headers)
    assert r.json()["state"] == "rejected"
    assert not (await Rating.get(id=rating.id)).excluded
    assert (await Rectification.get(rating_id=rating.id)).state == "open"  # still to be fixed
    late = await api.post(f"/api/v1/staff/appeals/{appeal_id}/evidence",
                          files={"file": ("a.pdf", PDF, "application/pdf")},
                          headers=dept.clerk.headers)
    assert late.status_code == 409


async def test_only_a_bad_rating_is_appealed(api: Any, citizen: Any, staff: Any) -> None:
    dept, me = await department(staff), await citizen()
    case = await completed_case(api, me.headers, dept)
    await api.post(f"/api/v1/cases/{case['id']}/rating", json=RATE_GOOD, headers=me.headers)
    rating = await Rating.get(case_id=case["id"])
    r = await api.post(f"/api/v1/staff/ratings/{rating.id}/appeal",
                       json={"reason": "不该有申诉"}, headers=dept.clerk.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "APPEAL_NOT_ALLOWED"
    assert not await Appeal.filter(rating_id=rating.id).exists()
