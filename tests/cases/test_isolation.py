"""Every case endpoint answers 404 to another citizen and to another department's staff, and
the case is left untouched."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.cases.conftest import PNG, filed_case, make_item

REASON = {"reason": "理由"}


@pytest.fixture(scope="module")
async def scene(api: Any, citizen: Any, staff: Any) -> dict[str, Any]:
    dept = f"I{uuid.uuid4().hex[:6]}"
    clerk = await staff(roles=["clerk", "reviewer"], department=dept)
    owner = await citizen()
    item = await make_item(clerk.department_id)
    case = await filed_case(api, owner.headers, item)
    r = await api.post(f"/api/v1/staff/cases/{case['id']}/supplement", headers=clerk.headers,
                       json={"items": [{"material_code": "M02", "problem": "模糊",
                                        "requirement": "清晰照片"}]})
    assert r.status_code == 201, r.text
    detail = (await api.get(f"/api/v1/cases/{case['id']}", headers=owner.headers)).json()
    notice = detail["supplements"][0]
    return {
        "case": detail, "owner": owner, "clerk": clerk, "notice": notice["id"],
        "entry": notice["items"][0]["id"],
        "stranger": await citizen(),
        # every role that handles cases, of another department (an admin sees every one)
        "other_staff": await staff(roles=["clerk", "reviewer", "approver"],
                                   department=f"O{uuid.uuid4().hex[:6]}"),
    }


CITIZEN_CALLS = [
    ("GET", "", None),
    ("PATCH", "", {"form": {"reason": "损坏"}}),
    ("POST", "/materials/elicence", {"code": "M01", "elicence_type": "居民身份证",
                                     "licence_no": "110105194912310021"}),
    ("POST", "/submit", None),
    ("POST", "/withdraw", REASON),
    ("POST", "/supplements/{notice}/items/{entry}", {"text": "已补"}),
    ("POST", "/resubmit", None),
]
STAFF_CALLS = [
    ("GET", "", None),
    ("POST", "/accept", None),
    ("POST", "/refuse", REASON),
    ("POST", "/supplement", {"items": [{"material_code": "M01", "problem": "x",
                                        "requirement": "y"}]}),
    ("POST", "/supplements/{notice}/sign-off", None),
    ("POST", "/review", None),
    ("POST", "/special-stage/start", {"name": "专家评审"}),
    ("POST", "/special-stage/end", {}),
    ("POST", "/approve", {}),
    ("POST", "/deny", REASON),
    ("POST", "/issue-result", {"note": "x"}),
    ("POST", "/complete", {}),
]


@pytest.mark.parametrize(("method", "path", "body"), CITIZEN_CALLS)
async def test_other_citizen_gets_404(
    api: Any, scene: dict[str, Any], method: str, path: str, body: Any
) -> None:
    url = f"/api/v1/cases/{scene['case']['id']}" + path.format(**scene)
    r = await api.request(method, url, json=body, headers=scene["stranger"].headers)
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"] == "CASE_NOT_FOUND"


async def test_case_by_number_is_the_owners_only(api: Any, scene: dict[str, Any]) -> None:
    url = f"/api/v1/cases/number/{scene['case']['number']}"
    r = await api.get(url, headers=scene["owner"].headers)
    assert r.status_code == 200 and r.json()["id"] == scene["case"]["id"]
    r = await api.get(url, headers=scene["stranger"].headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "CASE_NOT_FOUND"


async def test_other_citizen_cannot_upload(api: Any, scene: dict[str, Any]) -> None:
    r = await api.post(f"/api/v1/cases/{scene['case']['id']}/materials", data={"code": "M02"},
                       files={"file": ("a.png", PNG, "image/png")},
                       headers=scene["stranger"].headers)
    assert r.status_code == 404


@pytest.mark.parametrize(("method", "path", "body"), STAFF_CALLS)
async def test_other_department_gets_404(
    api: Any, scene: dict[str, Any], method: str, path: str, body: Any
) -> None:
    url = f"/api/v1/staff/cases/{scene['case']['id']}" + path.format(**scene)
    r = await api.request(method, url, json=body, headers=scene["other_staff"].headers)
    assert r.status_code == 404, r.text


async def test_lists_and_queues_show_own_only(api: Any, scene: dict[str, Any]) -> None:
    number = scene["case"]["number"]
    theirs = (await api.get("/api/v1/cases", headers=scene["stranger"].headers)).json()
    assert number not in [c["number"] for c in theirs["items"]]
    queue = (await api.get("/api/v1/staff/cases", headers=scene["other_staff"].headers)).json()
    assert number not in [c["number"] for c in queue["items"]]
    own = (await api.get("/api/v1/staff/cases", headers=scene["clerk"].headers)).json()
    assert number in [c["number"] for c in own["items"]]


async def test_nothing_changed(api: Any, scene: dict[str, Any]) -> None:
    after = (await api.get(f"/api/v1/cases/{scene['case']['id']}",
                           headers=scene["owner"].headers)).json()
    assert after["status"] == "supplement_requested"
    assert len(after["timeline"]) == len(scene["case"]["timeline"])
    assert after["form"] == scene["case"]["form"]


async def test_unauthenticated_is_401(api: Any, scene: dict[str, Any]) -> None:
    assert (await api.get(f"/api/v1/cases/{scene['case']['id']}")).status_code == 401
    r = await api.get("/api/v1/staff/cases", headers=scene["owner"].headers)
    assert r.status_code == 401  # a citizen token is not a staff token
