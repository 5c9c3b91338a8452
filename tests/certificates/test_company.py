"""A company's licences and certificates: the wallet of a person acting for a company, 免提交
with the company's licence, and a personal licence refused in a company's case."""

from __future__ import annotations

from typing import Any

import httpx

from tests.cases.conftest import make_item
from tests.certificates.conftest import issued, verified
from tests.certificates.test_wallet import materials
from tests.support.identity_flows import registered_enterprise
from tests.support.pii_registry import new_credit_code


async def test_company_licences_stand_in_for_company_materials(
        api: Any, citizen: Any, sims: Any, team: dict[str, Any]) -> None:
    rep = await verified(api, citizen, sims)
    code = new_credit_code()
    await registered_enterprise(sims["registry"].base_url, code, "示范证照科技有限公司",
                                rep.name, rep.id_number)
    r = await api.post("/api/v1/companies",
                       json={"credit_code": code, "name": "示范证照科技有限公司"},
                       headers=rep.headers)
    assert r.status_code == 201, r.text
    company_id = r.json()["company_id"]
    async with httpx.AsyncClient() as sim:
        r = await sim.post(f"{sims['licence'].base_url}/_sim/licences", json={
            "holder_type": "company", "holder_id": code, "holder_name": "示范证照科技有限公司",
            "type_name": "营业执照", "valid_until": None})
        licence = r.json()
    items = (await api.get("/api/v1/licences", headers=rep.headers)).json()["items"]
    mine = [i for i in items if i["licence_id"] == f"lib:{licence['licence_id']}"]
    assert mine and mine[0]["holder_kind"] == "company" and mine[0]["company_id"] == company_id
    assert mine[0]["holder"] == "示范****有限公司"

    item = await make_item(team["clerk"].department_id, materials=materials("营业执照", "A"))
    r = await api.post("/api/v1/cases", json={"item_code": item["code"], "company_id": company_id,
                                              "form": {"applicant": "李小明",
                                                       "phone": "13912345678",
                                                       "reason": "有效期满"}},
                       headers=rep.headers)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    r = await api.post(f"/api/v1/cases/{cid}/materials/elicence",
                       json={"code": "M01", "licence_id": f"lib:{licence['licence_id']}"},
                       headers=rep.headers)
    assert r.status_code == 201, r.text
    assert (await api.post(f"/api/v1/cases/{cid}/submit", headers=rep.headers)
            ).status_code == 200

    # the representative's own certificate is not the company's
    cert = await issued(api, rep, team)
    other_item = await make_item(team["clerk"].department_id,
                                 materials=materials("无犯罪记录证明", "A"))
    r = await api.post("/api/v1/cases", json={"item_code": other_item["code"],
                                              "company_id": company_id, "form": {
                                                  "applicant": "李小明", "phone": "13912345678",
                                                  "reason": "有效期满"}}, headers=rep.headers)
    assert r.status_code == 201, r.text
    r = await api.post(f"/api/v1/cases/{r.json()['id']}/materials/elicence",
                       json={"code": "M01", "licence_id": f"cert:{cert['id']}"},
                       headers=rep.headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "LICENCE_NOT_APPLICANTS"
