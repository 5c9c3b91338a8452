"""Companies by unified social credit code, legal representatives and 经办人 authorisations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import ApiError
from app.identity.companies import require_company_authority
from tests.support.identity_flows import consent, known_person, registered_enterprise, verify_l2
from tests.support.pii_registry import new_credit_code


async def _verified(api, citizen, sims):  # type: ignore[no-untyped-def]
    who = await citizen()
    await consent(api, who.headers, "realname")
    name, number = await known_person(sims["idcheck"].base_url)
    assert (await verify_l2(api, who.headers, name, number)).status_code == 200
    return who, name, number


async def _register(api, sims, who, name, number, company_name, code=None):  # type: ignore[no-untyped-def]
    """Register a company the registry names ``name`` / ``number`` the representative of."""
    code = code or new_credit_code()
    await registered_enterprise(sims["registry"].base_url, code, company_name, name, number)
    return await api.post("/api/v1/companies", json={"credit_code": code, "name": company_name},
                          headers=who.headers)


async def test_company_needs_a_valid_code_and_level_2(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    plain = await citizen()
    bad = await api.post(
        "/api/v1/companies",
        json={"credit_code": "91110000600037341N", "name": "测试科技有限公司"},
        headers=plain.headers,
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "CREDIT_CODE_INVALID"
    low = await api.post(
        "/api/v1/companies",
        json={"credit_code": new_credit_code(), "name": "测试科技有限公司"},
        headers=plain.headers,
    )
    assert low.status_code == 403
    assert low.json()["error"]["code"] == "REALNAME_LEVEL_REQUIRED"
    assert low.json()["error"]["fields"]["required_level"] == 2


async def test_agent_authorisation_scope_expiry_and_revocation(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    rep, rep_name, rep_number = await _verified(api, citizen, sims)
    agent, agent_name, agent_number = await _verified(api, citizen, sims)
    outsider = await citizen()
    code = new_credit_code()
    created = await _register(api, sims, rep, rep_name, rep_number, "掌上办测试有限公司", code)
    assert created.status_code == 201, created.text
    company_id = created.json()["company_id"]
    twice = await api.post(
        "/api/v1/companies", json={"credit_code": code, "name": "冒名公司"}, headers=agent.headers
    )
    assert twice.status_code == 403  # the registry names someone else
    assert twice.json()["error"]["code"] == "NOT_LEGAL_REPRESENTATIVE"
    again = await api.post("/api/v1/companies", json={"credit_code": code, "name": "x"},
                           headers=rep.headers)
    assert again.status_code == 409

    expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    grant = {"name": agent_name, "id_number": agent_number, "scope": ["GA-001"]}
    grant["expires_at"] = expires
    by_outsider = await api.post(
        f"/api/v1/companies/{company_id}/agents", json=grant, headers=outsider.headers
    )
    assert by_outsider.status_code == 404
    assert by_outsider.json()["error"]["code"] == "COMPANY_NOT_FOUND"
    granted = await api.post(
        f"/api/v1/companies/{company_id}/agents", json=grant, headers=rep.headers
    )
    assert granted.status_code == 201, granted.text
    by_agent = await api.post(
        f"/api/v1/companies/{company_id}/agents", json=grant, headers=agent.headers
    )
    assert by_agent.status_code == 403
    assert by_agent.json()["error"]["code"] == "LEGAL_REP_REQUIRED"

    await require_company_authority(agent.person_id, company_id, "GA-001")
    await require_company_authority(rep.person_id, company_id, "ANY-ITEM")
    for who, item in ((agent, "GA-999"), (outsider, "GA-001")):
        with pytest.raises(ApiError) as err:
            await require_company_authority(who.person_id, company_id, item)
        assert err.value.code == "COMPANY_AUTHORITY_REQUIRED"

    mine = (await api.get("/api/v1/companies", headers=agent.headers)).json()
    assert [(c["credit_code"], c["role"]) for c in mine] == [(code, "agent")]
    listed = (await api.get(f"/api/v1/companies/{company_id}/agents", headers=rep.headers)).json()
    assert agent_number not in str(listed) and agent_name not in str(listed)

    member_id = granted.json()["id"]
    gone = await api.delete(
        f"/api/v1/companies/{company_id}/agents/{member_id}", headers=rep.headers
    )
    assert gone.status_code == 200
    with pytest.raises(ApiError):
        await require_company_authority(agent.person_id, company_id, "GA-001")


async def test_expired_and_unknown_agents_are_refused(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    rep, rep_name, rep_number = await _verified(api, citizen, sims)
    created = await _register(api, sims, rep, rep_name, rep_number, "过期授权测试公司")
    company_id = created.json()["company_id"]
    name, number = await known_person(sims["idcheck"].base_url)  # never logged in
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    expired = await api.post(
        f"/api/v1/companies/{company_id}/agents",
        json={"name": name, "id_number": number, "expires_at": past},
        headers=rep.headers,
    )
    assert expired.status_code == 422
    unknown = await api.post(
        f"/api/v1/companies/{company_id}/agents",
        json={"name": name, "id_number": number, "expires_at": future},
        headers=rep.headers,
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "AGENT_NOT_FOUND"


async def test_a_company_case_goes_forward_only_while_the_agent_is_authorised(
    api, citizen, sims  # type: ignore[no-untyped-def]
) -> None:
    from models.core import Department
    from tests.cases.conftest import GOOD_FORM, PDF, PNG, make_item, upload

    rep, rep_name, rep_number = await _verified(api, citizen, sims)
    agent, agent_name, agent_number = await _verified(api, citizen, sims)
    dept, _ = await Department.get_or_create(code="COMP", defaults={"name": "市市场监管局"})
    item = await make_item(dept.id)
    company_id = (await _register(api, sims, rep, rep_name, rep_number, "经办测试有限公司")
                  ).json()["company_id"]
    grant = {"name": agent_name, "id_number": agent_number, "scope": [item["code"]],
             "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat()}
    member = (await api.post(f"/api/v1/companies/{company_id}/agents", json=grant,
                             headers=rep.headers)).json()["id"]
    r = await api.post("/api/v1/cases", headers=agent.headers,
                       json={"item_code": item["code"], "form": GOOD_FORM,
                             "company_id": company_id})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    await upload(api, agent.headers, cid, "M01", PDF)
    await upload(api, agent.headers, cid, "M02", PNG)
    await api.delete(f"/api/v1/companies/{company_id}/agents/{member}", headers=rep.headers)
    r = await api.post(f"/api/v1/cases/{cid}/submit", headers=agent.headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "COMPANY_AUTHORITY_REQUIRED"
    detail = (await api.get(f"/api/v1/cases/{cid}", headers=agent.headers)).json()
    assert detail["status"] == "draft"


async def test_granting_authority_needs_a_recent_check_of_the_representative(
    api, citizen, sims  # type: ignore[no-untyped-def]
) -> None:
    from models.identity import RealNameVerification

    rep, rep_name, rep_number = await _verified(api, citizen, sims)
    _agent, agent_name, agent_number = await _verified(api, citizen, sims)
    company_id = (await _register(api, sims, rep, rep_name, rep_number, "授权测试有限公司")
                  ).json()["company_id"]
    await RealNameVerification.filter(person_id=rep.person_id).update(
        created_at=datetime.now(UTC) - timedelta(hours=2))
    grant = {"name": agent_name, "id_number": agent_number, "scope": ["GA-001"],
             "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat()}
    r = await api.post(f"/api/v1/companies/{company_id}/agents", json=grant, headers=rep.headers)
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "STEP_UP_REQUIRED"
    assert r.json()["error"]["fields"]["required_level"] == 2
