"""The 电子证照 wallet over the licence-library simulator: my licences and certificates, 亮证,
and 免提交 (a licence standing in for a material) with every refusal, end to end."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from app.certificates.content import b64e
from app.licences import show
from models.cases import Material
from models.certificates import MaterialSource
from tests.cases.conftest import PNG, make_item, upload
from tests.certificates.conftest import Person, issued, verified, verifier


async def give(sims: Any, person: Person, type_name: str, **extra: Any) -> dict[str, Any]:
    """The licence library learns that ``person`` holds a licence."""
    async with httpx.AsyncClient() as sim:
        r = await sim.post(f"{sims['licence'].base_url}/_sim/licences", json={
            "holder_id": person.id_number, "holder_name": person.name, "type_name": type_name,
            **extra})
        r.raise_for_status()
        return dict(r.json())


def materials(type_name: str, level: str) -> list[dict[str, Any]]:
    return [{"code": "M01", "name": f"申请人{type_name}", "required": True,
             "min_trust_level": level, "elicence_type": type_name}]


async def draft(api: Any, person: Person, item: dict[str, Any]) -> int:
    r = await api.post("/api/v1/cases", json={"item_code": item["code"], "form": {
        "applicant": "李小明", "phone": "13912345678", "reason": "有效期满"}},
        headers=person.headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def use(api: Any, person: Person, cid: int, **body: Any) -> httpx.Response:
    return await api.post(f"/api/v1/cases/{cid}/materials/elicence", json={"code": "M01", **body},
                          headers=person.headers)


async def test_wallet_and_showing_a_licence(api: Any, citizen: Any, sims: Any,
                                            team: dict[str, Any]) -> None:
    me = await verified(api, citizen, sims)
    card = await give(sims, me, "居民身份证", number=me.id_number)
    cert = await issued(api, me, team)
    items = (await api.get("/api/v1/licences", headers=me.headers)).json()["items"]
    by_id = {i["licence_id"]: i for i in items}
    assert by_id[f"lib:{card['licence_id']}"]["usable"] is True
    assert me.id_number not in json.dumps(items) and me.name not in json.dumps(items)
    assert by_id[f"cert:{cert['id']}"]["type_name"] == "无犯罪记录证明"

    lid = f"lib:{card['licence_id']}"
    other = await citizen()
    for path in (f"/api/v1/licences/{lid}", f"/api/v1/licences/cert:{cert['id']}"):
        assert (await api.get(path, headers=other.headers)).status_code == 404
    assert (await api.post(f"/api/v1/licences/{lid}/show", headers=other.headers)
            ).status_code == 404
    r = await api.post(f"/api/v1/licences/{lid}/show", headers=me.headers)
    assert r.status_code == 201, r.text
    shown = r.json()
    assert shown["qr_png"].startswith("data:image/png;base64,") and 0 < shown["seconds"] <= 60
    r = await api.get(f"/verify/show/{shown['token']}", headers=verifier())
    assert r.json()["status"] == "genuine" and r.json()["licence"]["type_name"] == "居民身份证"
    assert me.id_number not in r.text
    page = await api.get(f"/verify/show/{shown['token']}", headers={"X-Forwarded-For": "10.1.2.3"})
    assert "由持证人本人出示" in page.text
    body, _, mac = shown["token"].partition(".")
    forged = b64e(json.dumps({"l": lid, "p": other.person_id, "e": int(time.time()) + 60,
                              "n": "0"}).encode())
    for token in (f"{forged}.{mac}", body, f"{body}.x{mac[1:]}", "…"):
        r = await api.get(f"/verify/show/{token}", headers=verifier())
        assert r.json()["status"] == "invalid", token
    stale = b64e(json.dumps({"l": lid, "p": me.citizen.person_id, "e": int(time.time()) - 1,
                             "n": "0"}, separators=(",", ":")).encode())
    r = await api.get(f"/verify/show/{stale}.{show._mac(stale)}", headers=verifier())
    assert r.json()["status"] == "expired"


async def test_free_of_submission_end_to_end(api: Any, citizen: Any, sims: Any,
                                             team: dict[str, Any]) -> None:
    me = await verified(api, citizen, sims)
    card = await give(sims, me, "居民身份证", number=me.id_number)
    item = await make_item(team["clerk"].department_id, materials=materials("居民身份证", "A"))
    cid = await draft(api, me, item)
    await upload(api, me.headers, cid, "M01", PNG)
    r = await api.post(f"/api/v1/cases/{cid}/submit", headers=me.headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "MATERIAL_TRUST_TOO_LOW"
    assert "申请人居民身份证" in r.json()["error"]["fields"]["materials.M01"]

    r = await use(api, me, cid, licence_id=f"lib:{card['licence_id']}")
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "elicence" and r.json()["source"] == "licence_library"
    assert me.id_number not in r.text
    source = await MaterialSource.get(material_id=r.json()["id"])
    assert source.source == "licence_library" and source.signature and source.issuer
    assert me.id_number not in source.number_enc
    r = await api.post(f"/api/v1/cases/{cid}/submit", headers=me.headers)
    assert r.status_code == 200, r.text
    staff_view = (await api.get(f"/api/v1/staff/cases/{cid}", headers=team["clerk"].headers)
                  ).json()
    current = [m for m in staff_view["materials"] if not m["superseded"]]
    assert [m["source"] for m in current] == ["licence_library"]
    r = await api.post(f"/api/v1/staff/cases/{cid}/accept", json={},
                       headers=team["clerk"].headers)
    assert r.status_code == 200 and r.json()["status"] == "accepted"


async def test_refusals_change_nothing(api: Any, citizen: Any, sims: Any,
                                       team: dict[str, Any]) -> None:
    me = await verified(api, citizen, sims)
    someone = await verified(api, citizen, sims)
    theirs = await give(sims, someone, "机动车驾驶证")
    expired = await give(sims, me, "机动车驾驶证", valid_until="2024-01-31")
    cancelled = await give(sims, me, "居民户口簿", status="cancelled")
    item = await make_item(team["clerk"].department_id, materials=materials("机动车驾驶证", "A"))
    cid = await draft(api, me, item)
    for body, status, code in (
            ({"licence_id": f"lib:{expired['licence_id']}"}, 422, "LICENCE_NOT_VALID"),
            ({"licence_id": f"lib:{theirs['licence_id']}"}, 422, "LICENCE_NOT_APPLICANTS"),
            ({"licence_id": f"lib:{cancelled['licence_id']}"}, 422, "ELICENCE_NOT_ACCEPTED"),
            ({"licence_id": "lib:no-such"}, 422, "LICENCE_NOT_APPLICANTS"),
            ({"licence_id": "cert:999999"}, 404, "CERTIFICATE_NOT_FOUND"),
            ({"elicence_type": "机动车驾驶证", "licence_no": "not-mine"}, 422,
             "LICENCE_NOT_HELD"),
            ({"elicence_type": "居民身份证", "licence_no": "x"}, 422, "ELICENCE_NOT_ACCEPTED"),
            ({}, 422, "VALIDATION_FAILED")):
        r = await use(api, me, cid, **body)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (body, r.text)
    assert await Material.filter(case_id=cid).count() == 0
    assert await MaterialSource.filter(case_id=cid).count() == 0
    r = await api.post(f"/api/v1/cases/{cid}/materials/elicence",
                       json={"code": "M01", "licence_id": f"lib:{expired['licence_id']}"},
                       headers=someone.headers)
    assert r.status_code == 404  # not their case


async def test_a_certificate_of_ours_as_a_material(api: Any, citizen: Any, sims: Any,
                                                   team: dict[str, Any]) -> None:
    me = await verified(api, citizen, sims)
    cert = await issued(api, me, team)
    other = await verified(api, citizen, sims)
    item = await make_item(team["clerk"].department_id,
                           materials=materials("无犯罪记录证明", "A"))
    cid = await draft(api, me, item)
    r = await use(api, other, await draft(api, other, item), licence_id=f"cert:{cert['id']}")
    assert r.status_code == 404  # another holder's certificate is not theirs to use
    r = await use(api, me, cid, licence_id=f"cert:{cert['id']}")
    assert r.status_code == 201, r.text
    assert (await api.post(f"/api/v1/cases/{cid}/submit", headers=me.headers)
            ).status_code == 200
    r = await api.post(f"/api/v1/staff/certificates/{cert['id']}/revoke",
                       json={"reason": "issued_in_error", "note": "误签"},
                       headers=team["reviewer"].headers)
    assert r.status_code == 200
    r = await api.post(f"/api/v1/staff/cases/{cid}/accept", json={},
                       headers=team["clerk"].headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "MATERIAL_TRUST_TOO_LOW"
    assert "materials.M01" in r.json()["error"]["fields"]
    case = (await api.get(f"/api/v1/cases/{cid}", headers=me.headers)).json()
    assert case["status"] == "submitted"
    again = await draft(api, me, item)
    r = await use(api, me, again, licence_id=f"cert:{cert['id']}")
    assert r.status_code == 422 and r.json()["error"]["code"] == "LICENCE_NOT_VALID"
