"""Legal representatives verified by the market-regulation registry (issue 17, problem 1): no
more squatting on another's credit code; unverified registrations cannot authorise agents;
a deregistered company's agents lose their authority."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.errors import ApiError
from app.identity.companies import require_company_authority
from models.identity import Company, CompanyMember
from tests.identity.test_companies import _verified
from tests.support.identity_flows import registered_enterprise
from tests.support.pii_registry import new_credit_code


async def test_a_squatter_cannot_register_anothers_company(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    rep, rep_name, rep_number = await _verified(api, citizen, sims)
    squatter, _, _ = await _verified(api, citizen, sims)
    code = new_credit_code()
    await registered_enterprise(sims["registry"].base_url, code, "真实法人有限公司",
                                rep_name, rep_number)
    r = await api.post("/api/v1/companies", json={"credit_code": code, "name": "抢注"},
                       headers=squatter.headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "NOT_LEGAL_REPRESENTATIVE"
    r = await api.post("/api/v1/companies", json={"credit_code": code, "name": "随便"},
                       headers=rep.headers)
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "真实法人有限公司" and r.json()["verified"] is True


async def test_unknown_and_inactive_companies_are_refused(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    rep, rep_name, rep_number = await _verified(api, citizen, sims)
    r = await api.post("/api/v1/companies", json={"credit_code": new_credit_code(),
                                                  "name": "无登记公司"}, headers=rep.headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "COMPANY_NOT_REGISTERED"
    code = new_credit_code()
    await registered_enterprise(sims["registry"].base_url, code, "已注销公司", rep_name,
                                rep_number, status="注销")
    r = await api.post("/api/v1/companies", json={"credit_code": code, "name": "x"},
                       headers=rep.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "COMPANY_NOT_ACTIVE"
    same_number_other_name = new_credit_code()
    await registered_enterprise(sims["registry"].base_url, same_number_other_name, "改名公司",
                                "另一个人", rep_number)
    r = await api.post("/api/v1/companies", json={"credit_code": same_number_other_name,
                                                  "name": "x"}, headers=rep.headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "NOT_LEGAL_REPRESENTATIVE"


async def test_an_unverified_registration_gives_way_and_cannot_authorise(
    api, citizen, sims  # type: ignore[no-untyped-def]
) -> None:
    rep, rep_name, rep_number = await _verified(api, citizen, sims)
    squatter, agent_name, agent_number = await _verified(api, citizen, sims)
    code = new_credit_code()
    # a registration from before the registry check: nobody verified it
    old = await Company.create(credit_code=code, name="抢注公司",
                               registered_by_id=squatter.person_id)
    await CompanyMember.create(company=old, person_id=squatter.person_id, role="legal_rep",
                               scope=["*"])
    mine = (await api.get("/api/v1/companies", headers=squatter.headers)).json()
    assert [c["verified"] for c in mine] == [False]
    grant = {"name": agent_name, "id_number": agent_number,
             "expires_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()}
    r = await api.post(f"/api/v1/companies/{old.id}/agents", json=grant,
                       headers=squatter.headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "COMPANY_UNVERIFIED"
    with pytest.raises(ApiError) as err:
        await require_company_authority(squatter.person_id, old.id, "ANY")
    assert err.value.code == "COMPANY_UNVERIFIED"
    r = await api.post(f"/api/v1/companies/{old.id}/verify", headers=squatter.headers)
    assert r.status_code == 422  # the registry has no such company (yet)
    assert r.json()["error"]["code"] == "COMPANY_NOT_REGISTERED"
    await registered_enterprise(sims["registry"].base_url, code, "真实有限公司", rep_name,
                                rep_number)
    r = await api.post("/api/v1/companies", json={"credit_code": code, "name": "x"},
                       headers=rep.headers)
    assert r.status_code == 201, r.text
    assert r.json()["company_id"] == old.id
    assert (await api.get("/api/v1/companies", headers=squatter.headers)).json() == []


async def test_a_deregistered_company_loses_its_agents(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    rep, rep_name, rep_number = await _verified(api, citizen, sims)
    agent, agent_name, agent_number = await _verified(api, citizen, sims)
    _other, other_name, other_number = await _verified(api, citizen, sims)
    code = new_credit_code()
    registry = sims["registry"].base_url
    await registered_enterprise(registry, code, "将注销有限公司", rep_name, rep_number)
    company_id = (await api.post("/api/v1/companies", json={"credit_code": code, "name": "x"},
                                 headers=rep.headers)).json()["company_id"]
    expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    r = await api.post(f"/api/v1/companies/{company_id}/agents", headers=rep.headers, json={
        "name": agent_name, "id_number": agent_number, "expires_at": expires})
    assert r.status_code == 201, r.text
    await require_company_authority(agent.person_id, company_id, "ANY")
    await registered_enterprise(registry, code, "将注销有限公司", rep_name, rep_number,
                                status="注销")
    r = await api.post(f"/api/v1/companies/{company_id}/agents", headers=rep.headers, json={
        "name": other_name, "id_number": other_number, "expires_at": expires})
    assert r.status_code == 403 and r.json()["error"]["code"] == "COMPANY_UNVERIFIED"
    with pytest.raises(ApiError):
        await require_company_authority(agent.person_id, company_id, "ANY")
    assert not await CompanyMember.filter(company_id=company_id, role="agent",
                                          revoked_at__isnull=True).exists()


async def test_the_registry_refuses_unsigned_requests(sims) -> None:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient() as raw:
        r = await raw.post(f"{sims['registry'].base_url}/v1/enterprises/lookup",
                           json={"credit_code": "91110000600037341L"})
    assert r.status_code == 401 and r.json()["code"] == "AUTH_FAILED"
