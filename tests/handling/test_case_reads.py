"""预审: staff open uploaded materials (inline for images and PDF) and reveal masked form
fields, each read logged with who and why; another department 404, a missing role 403."""

from __future__ import annotations

from typing import Any

from models.identity import PiiAccessLog
from tests.cases.conftest import PDF, PNG
from tests.handling.conftest import new_case

REASON = {"reason": "预审核对材料"}


def _path(cid: int, mid: int) -> str:
    return f"/api/v1/staff/cases/{cid}/materials/{mid}/content"


async def test_materials_open_inline_and_every_read_is_logged(
    api: Any, citizen: Any, team: dict[str, Any]
) -> None:
    made = await new_case(api, citizen, team)
    cid = made["id"]
    mats = {m["code"]: m for m in made["case"]["materials"]}
    clerk = team["clerk"]
    r = await api.get(_path(cid, mats["M01"]["id"]), headers=clerk.headers, params=REASON)
    assert r.status_code == 200, r.text
    assert r.content == PDF and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("inline")
    assert r.headers["cache-control"].startswith("no-store")
    r = await api.get(_path(cid, mats["M02"]["id"]), headers=clerk.headers, params=REASON)
    assert r.content == PNG and r.headers["content-type"] == "image/png"

    logged = await PiiAccessLog.filter(case_id=cid).order_by("id")
    assert [(x.staff_id, x.field, x.reason) for x in logged] == [
        (clerk.id, f"material:{mats['M01']['id']}", "预审核对材料"),
        (clerk.id, f"material:{mats['M02']['id']}", "预审核对材料"),
    ]
    r = await api.get(f"/api/v1/staff/cases/{cid}/reads", headers=team["reviewer"].headers)
    assert r.status_code == 200 and len(r.json()["items"]) == 2
    assert r.json()["items"][0]["staff_name"]
    r = await api.get(f"/api/v1/staff/cases/{cid}/reads", headers=clerk.headers)
    assert r.status_code == 403


async def test_material_reads_need_a_reason_a_role_and_the_department(
    api: Any, citizen: Any, team: dict[str, Any]
) -> None:
    made = await new_case(api, citizen, team)
    cid, mid = made["id"], made["case"]["materials"][0]["id"]
    for params in ({}, {"reason": "看"}):
        r = await api.get(_path(cid, mid), headers=team["clerk"].headers, params=params)
        assert r.status_code == 422, params
    r = await api.get(_path(cid, mid), headers=team["outsider"].headers, params=REASON)
    assert r.status_code == 404 and r.json()["error"]["code"] == "CASE_NOT_FOUND"
    r = await api.get(_path(cid, mid), headers=team["operator"].headers, params=REASON)
    assert r.status_code == 403
    r = await api.get(_path(cid, 2**31 + 5), headers=team["clerk"].headers, params=REASON)
    assert r.status_code == 404
    other = await new_case(api, citizen, team)
    r = await api.get(_path(cid, other["case"]["materials"][0]["id"]),
                      headers=team["clerk"].headers, params=REASON)
    assert r.status_code == 404 and r.json()["error"]["code"] == "MATERIAL_NOT_FOUND"
    assert not await PiiAccessLog.filter(case_id=cid).exists()


async def test_reveal_a_masked_field_is_audited(
    api: Any, citizen: Any, team: dict[str, Any]
) -> None:
    made = await new_case(api, citizen, team)
    cid = made["id"]
    assert made["case"]["form"]["phone"] != "13912345678"  # masked in answers
    url = f"/api/v1/staff/cases/{cid}/form/reveal"
    r = await api.post(url, headers=team["reviewer"].headers,
                       json={"field": "phone", "reason": "电话核实身份"})
    assert r.status_code == 200, r.text
    assert r.json() == {"field": "phone", "value": "13912345678"}
    r = await api.post(url, headers=team["reviewer"].headers,
                       json={"field": "reason", "reason": "电话核实身份"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "FIELD_NOT_MASKED"
    r = await api.post(url, headers=team["reviewer"].headers,
                       json={"field": "nope", "reason": "电话核实身份"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "FIELD_NOT_FOUND"
    r = await api.post(url, headers=team["reviewer"].headers, json={"field": "phone"})
    assert r.status_code == 422
    r = await api.post(url, headers=team["outsider"].headers,
                       json={"field": "phone", "reason": "电话核实身份"})
    assert r.status_code == 404
    r = await api.post(url, headers=team["operator"].headers,
                       json={"field": "phone", "reason": "电话核实身份"})
    assert r.status_code == 403
    logged = await PiiAccessLog.filter(case_id=cid)
    assert [(x.field, x.staff_id, x.person_id) for x in logged] == [
        ("form.phone", team["reviewer"].id, made["me"].person_id)]
