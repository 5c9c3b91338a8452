"""Certificate fixtures: a real-name-verified citizen, a department team, and a case driven
through the API to an issued certificate."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.cases.conftest import PNG, make_item, upload
from tests.support.identity_flows import consent, known_person, verify_l2
from tests.support.pii_registry import new_ip

TEMPLATE = {
    "type_code": "GA-WFZJL", "title": "无犯罪记录证明",
    "fields": [{"label": "姓名", "source": "holder.name"},
               {"label": "身份证号", "source": "holder.id_number"},
               {"label": "证明用途", "source": "form.purpose"},
               {"label": "办件编号", "source": "case.number"}],
    "statement": "经查询，截至本证明出具之日，未发现该人有犯罪记录。", "valid_days": 90,
}
FORM = {"fields": [{"name": "purpose", "label": "证明用途", "type": "select",
                    "options": ["就业", "入学"], "required": True}]}
MATERIALS = [{"code": "M01", "name": "申请人居民身份证", "required": True,
              "min_trust_level": "C", "elicence_type": "居民身份证"}]


@dataclass
class Person:
    citizen: Any
    name: str
    id_number: str

    @property
    def headers(self) -> dict[str, str]:
        return dict(self.citizen.headers)


async def verified(api: httpx.AsyncClient, citizen: Any, sims: Any) -> Person:
    who = await citizen()
    name, number = await known_person(sims["idcheck"].base_url)
    await consent(api, who.headers, "realname")
    r = await verify_l2(api, who.headers, name, number)
    assert r.status_code == 200, r.text
    return Person(who, name, number)


@pytest.fixture
async def team(staff: Any) -> dict[str, Any]:
    dept = f"C{uuid.uuid4().hex[:6]}"
    return {
        "clerk": await staff(roles=["clerk"], department=dept),
        "reviewer": await staff(roles=["reviewer", "clerk"], department=dept),
        "operator": await staff(roles=["operator"], department=dept),
        "stranger": await staff(roles=["reviewer", "clerk"], department=f"X{dept[1:]}"),
    }


async def certificate_item(department_id: int, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = dict(result_template=TEMPLATE, delivery_options=["online"],
                                  form_schema=FORM, materials=MATERIALS,
                                  required_realname_level=2)
    fields.update(overrides)
    return await make_item(department_id, **fields)


async def issued(api: httpx.AsyncClient, person: Person, team: dict[str, Any],
                 item: dict[str, Any] | None = None) -> dict[str, Any]:
    """A case filed, accepted, approved and its result issued; answers the certificate
    (the holder's detail view)."""
    item = item or await certificate_item(team["clerk"].department_id)
    r = await api.post("/api/v1/cases", json={"item_code": item["code"],
                                              "form": {"purpose": "就业"}},
                       headers=person.headers)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    await upload(api, person.headers, cid, "M01", PNG)
    r = await api.post(f"/api/v1/cases/{cid}/submit", headers=person.headers)
    assert r.status_code == 200, r.text
    for who, action in (("clerk", "accept"), ("reviewer", "approve"),
                        ("reviewer", "issue-result")):
        r = await api.post(f"/api/v1/staff/cases/{cid}/{action}", json={},
                           headers=team[who].headers)
        assert r.status_code == 200, r.text
    r = await api.get("/api/v1/certificates", headers=person.headers)
    mine = [c for c in r.json()["items"] if c["case_id"] == cid]
    assert len(mine) == 1, r.text
    r = await api.get(f"/api/v1/certificates/{mine[0]['id']}", headers=person.headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def verifier() -> dict[str, str]:
    """Headers of a fresh verifier (its own IP, so rate limits of other tests don't count)."""
    return {"X-Forwarded-For": new_ip(), "Accept": "application/json"}
