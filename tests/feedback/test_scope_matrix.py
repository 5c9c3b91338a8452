"""Every new route, by who asks: another citizen and another department get 404 (or an empty
list), a staff member without the role gets 403; the owner and the department get through."""

from __future__ import annotations

from typing import Any

import pytest

from models.jobs import JobState, PlatformJob
from models.ratings import Rating, Rectification
from tests.cases.conftest import PNG
from tests.feedback.support import RATE_BAD, completed_case, department

pytestmark = pytest.mark.usefixtures("server")


@pytest.fixture(scope="module")
async def world(api: Any, citizen: Any, staff: Any) -> dict[str, Any]:
    a, b = await department(staff), await department(staff)
    me, stranger = await citizen(), await citizen()
    case = await completed_case(api, me.headers, a)
    await api.post(f"/api/v1/cases/{case['id']}/rating", json=RATE_BAD, headers=me.headers)
    rating = await Rating.get(case_id=case["id"])
    fix = await Rectification.get(rating_id=rating.id)
    r = await api.post("/api/v1/tickets", json={
        "type": "consult", "subject": "矩阵测试", "text": "矩阵测试", "item_code": a.item["code"]},
        headers=me.headers)
    ticket = r.json()
    await api.post(f"/api/v1/staff/tickets/{ticket['id']}/reply", json={"text": "已答复"},
                   headers=a.clerk.headers)
    appeal = (await api.post(f"/api/v1/staff/ratings/{rating.id}/appeal",
                             json={"reason": "矩阵测试申诉"}, headers=a.clerk.headers)).json()
    job = await PlatformJob.create(key=f"matrix-{rating.id}", edge="haocp",
                                   kind="haocp.evaluation", payload={}, department_id=a.id,
                                   state=JobState.dead)
    roles = {name: await staff(roles=[name], department=a.code)
             for name in ("operator", "supervisor", "dispatcher", "clerk")}
    far = {name: await staff(roles=[name], department=b.code)
           for name in ("clerk", "supervisor", "operator")}
    return {"a": a, "b": b, "me": me, "stranger": stranger, "case": case, "rating": rating,
            "fix": fix, "ticket": ticket, "appeal": appeal, "job": job, "roles": roles,
            "far": far}


RATING_BODY = {"level": 4}


def citizen_routes(w: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    c, t = w["case"]["id"], w["ticket"]["id"]
    return [
        ("GET", f"/api/v1/cases/{c}/rating", {}),
        ("POST", f"/api/v1/cases/{c}/rating", {"json": RATING_BODY}),
        ("PUT", f"/api/v1/cases/{c}/rating", {"json": RATING_BODY}),
        ("GET", f"/api/v1/tickets/{t}/rating", {}),
        ("POST", f"/api/v1/tickets/{t}/rating", {"json": RATING_BODY}),
        ("PUT", f"/api/v1/tickets/{t}/rating", {"json": RATING_BODY}),
        ("GET", f"/api/v1/tickets/{t}", {}),
        ("POST", f"/api/v1/tickets/{t}/attachments",
         {"files": {"file": ("a.png", PNG, "image/png")}}),
        ("POST", f"/api/v1/tickets/{t}/confirm", {}),
        ("POST", f"/api/v1/tickets/{t}/reopen", {"json": {}}),
    ]


async def test_another_citizen_gets_404_everywhere(api: Any, world: dict[str, Any]) -> None:
    for method, path, kw in citizen_routes(world):
        r = await api.request(method, path, headers=world["stranger"].headers, **kw)
        assert r.status_code == 404, (method, path, r.text)
    for path in ("/api/v1/me/ratings", "/api/v1/me/tickets", "/api/v1/tickets",
                 "/api/v1/me/orders"):
        r = await api.get(path, headers=world["stranger"].headers)
        assert r.status_code == 200 and r.json()["items"] == [], path
    assert (await api.get(f"/api/v1/cases/{world['case']['id']}/rating",
                          headers=world["me"].headers)).status_code == 200


def department_routes(w: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(role that may, method, path, request) of every route naming one department's row."""
    rid, fid, tid = w["rating"].id, w["fix"].id, w["ticket"]["id"]
    aid, jid = w["appeal"]["id"], w["job"].id
    return [
        ("clerk", "GET", f"/api/v1/staff/ratings/{rid}", {}),
        ("clerk", "POST", f"/api/v1/staff/ratings/{rid}/appeal",
         {"json": {"reason": "跨部门申诉"}}),
        ("clerk", "POST", f"/api/v1/staff/rectifications/{fid}/reply",
         {"json": {"measures": "跨部门", "reply": "跨部门"}}),
        ("clerk", "GET", f"/api/v1/staff/appeals/{aid}", {}),
        ("clerk", "POST", f"/api/v1/staff/appeals/{aid}/evidence",
         {"files": {"file": ("a.png", PNG, "image/png")}}),
        ("supervisor", "POST", f"/api/v1/staff/appeals/{aid}/decide",
         {"json": {"decision": "upheld", "note": "跨部门"}}),
        ("clerk", "GET", f"/api/v1/staff/tickets/{tid}", {}),
        ("clerk", "POST", f"/api/v1/staff/tickets/{tid}/transfer", {"json": {"reason": "跨部门"}}),
        ("clerk", "POST", f"/api/v1/staff/tickets/{tid}/reply", {"json": {"text": "跨部门"}}),
        ("clerk", "POST", f"/api/v1/staff/tickets/{tid}/close", {"json": {"reason": "跨部门"}}),
        ("clerk", "POST", f"/api/v1/staff/tickets/{tid}/contact",
         {"json": {"reason": "跨部门查看"}}),
        ("supervisor", "POST", f"/api/v1/staff/outbound-jobs/{jid}/resend", {}),
    ]


async def test_another_department_gets_404_everywhere(api: Any, world: dict[str, Any]) -> None:
    for role, method, path, kw in department_routes(world):
        r = await api.request(method, path, headers=world["far"][role].headers, **kw)
        assert r.status_code == 404, (role, method, path, r.text)
    lists = [("clerk", "/api/v1/staff/ratings"), ("clerk", "/api/v1/staff/rectifications"),
             ("clerk", "/api/v1/staff/tickets"), ("supervisor", "/api/v1/staff/appeals"),
             ("supervisor", "/api/v1/staff/supervision/tickets"),
             ("supervisor", "/api/v1/staff/supervision/rectifications"),
             ("supervisor", "/api/v1/staff/outbound-jobs")]
    for role, path in lists:
        r = await api.get(path, headers=world["far"][role].headers)
        assert r.status_code == 200 and r.json()["items"] == [], path
    figures = await api.get("/api/v1/staff/supervision/ratings",
                            headers=world["far"]["supervisor"].headers)
    assert world["a"].id not in [d["department_id"] for d in figures.json()["departments"]]


ROLE_GATES = [
    ("GET", "/api/v1/staff/ratings", ("operator", "dispatcher")),
    ("GET", "/api/v1/staff/rectifications", ("operator", "dispatcher")),
    ("POST", "/api/v1/staff/rectifications/{fid}/reply", ("supervisor", "operator")),
    ("POST", "/api/v1/staff/ratings/{rid}/appeal", ("supervisor", "dispatcher")),
    ("GET", "/api/v1/staff/appeals", ("clerk", "operator")),
    ("POST", "/api/v1/staff/appeals/{aid}/decide", ("clerk", "operator", "dispatcher")),
    ("GET", "/api/v1/staff/supervision/ratings", ("clerk", "operator")),
    ("GET", "/api/v1/staff/supervision/rectifications", ("clerk",)),
    ("GET", "/api/v1/staff/supervision/tickets", ("clerk", "dispatcher")),
    ("GET", "/api/v1/staff/outbound-jobs", ("clerk", "dispatcher")),
    ("POST", "/api/v1/staff/outbound-jobs/{jid}/resend", ("clerk",)),
    ("GET", "/api/v1/staff/tickets", ("supervisor", "dispatcher", "operator")),
    ("POST", "/api/v1/staff/tickets/{tid}/reply", ("supervisor", "dispatcher")),
    ("GET", "/api/v1/staff/tickets/dispatch", ("clerk", "supervisor", "operator")),
    ("POST", "/api/v1/staff/tickets/dispatch/{tid}/assign", ("clerk", "supervisor")),
]


async def test_a_missing_role_gets_403(api: Any, world: dict[str, Any]) -> None:
    ids = {"rid": world["rating"].id, "fid": world["fix"].id, "aid": world["appeal"]["id"],
           "jid": world["job"].id, "tid": world["ticket"]["id"]}
    for method, path, denied in ROLE_GATES:
        for role in denied:
            r = await api.request(method, path.format(**ids), json={},
                                  headers=world["roles"][role].headers)
            assert r.status_code == 403, (role, method, path, r.text)
            assert r.json()["error"]["code"] == "FORBIDDEN"
    r = await api.get("/api/v1/staff/ratings", headers=world["me"].headers)
    assert r.status_code == 401  # a citizen's token is no staff token
