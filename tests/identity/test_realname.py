"""Real-name L2 (ID check) and L3 (face) through the API, with the provider simulated."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from app.errors import ApiError
from app.identity.levels import require_level, require_recent_verification
from models.identity import Person, RealNameVerification
from tests.support.identity_flows import (
    alipay_code,
    alipay_login,
    bearer,
    consent,
    known_person,
    verify_l2,
)
from tests.support.pii_registry import bad_check_digit, new_id_number


async def _idcheck_calls(base: str) -> int:
    async with httpx.AsyncClient() as sim:
        reqs = (await sim.get(f"{base}/_sim/requests")).json()
    return sum(1 for r in reqs if r["action"] == "IdCardVerification")


async def _unchanged(person_id: int) -> None:
    person = await Person.get(id=person_id)
    assert person.realname_level == 1
    assert person.id_number_enc is None and person.id_number_bidx is None
    assert person.name_enc is None


async def test_consent_comes_first(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    name, number = await known_person(sims["idcheck"].base_url)
    resp = await verify_l2(api, who.headers, name, number)
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "CONSENT_REQUIRED"
    assert resp.json()["error"]["fields"]["purpose"] == "realname"
    await _unchanged(who.person_id)


async def test_outdated_consent_version_is_refused(api, citizen) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    resp = await api.post(
        "/api/v1/consents",
        json={"purpose": "realname", "text_version": "2020-01-v0"},
        headers=who.headers,
    )
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "CONSENT_VERSION_OUTDATED"


async def test_invalid_check_digit_never_reaches_the_provider(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    base = sims["idcheck"].base_url
    who = await citizen()
    await consent(api, who.headers, "realname")
    name, number = await known_person(base)
    before = await _idcheck_calls(base)
    resp = await verify_l2(api, who.headers, name, bad_check_digit(number))
    assert resp.status_code == 422
    body = resp.json()["error"]
    assert body["code"] == "ID_NUMBER_INVALID" and "校验位" in body["message"]
    assert await _idcheck_calls(base) == before
    month13 = await verify_l2(api, who.headers, name, "360426199113010079")
    assert month13.status_code == 422
    await _unchanged(who.person_id)


async def test_mismatching_name_and_unknown_number(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    await consent(api, who.headers, "realname")
    name, number = await known_person(sims["idcheck"].base_url)
    resp = await verify_l2(api, who.headers, name + "某", number)
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "REALNAME_MISMATCH"
    await _unchanged(who.person_id)
    attempts = await RealNameVerification.filter(person_id=who.person_id).values_list(
        "outcome", flat=True
    )
    assert attempts == ["mismatch"]
    unknown = await verify_l2(api, who.headers, name, new_id_number())
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "REALNAME_NO_RECORD"
    await _unchanged(who.person_id)


async def test_provider_outage_is_a_503_and_changes_nothing(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    base = sims["idcheck"].base_url
    who = await citizen()
    await consent(api, who.headers, "realname")
    name, number = await known_person(base)
    async with httpx.AsyncClient() as sim:
        await sim.post(f"{base}/_sim/faults", json={"action": "IdCardVerification", "result": "-4"})
    resp = await verify_l2(api, who.headers, name, number)
    assert resp.status_code == 503
    assert resp.json()["error"]["code"] == "UPSTREAM_UNAVAILABLE"
    await _unchanged(who.person_id)


async def test_l2_success_is_masked_in_answers(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    await consent(api, who.headers, "realname")
    name, number = await known_person(sims["idcheck"].base_url)
    resp = await verify_l2(api, who.headers, name, number.lower())
    assert resp.status_code == 200, resp.text
    assert resp.json()["realname_level"] == 2 and resp.json()["bound"] is False
    me = (await api.get("/api/v1/me", headers=who.headers)).json()
    assert me["id_number"] == number[:3] + "*" * 11 + number[-4:]
    assert me["name"] == name[0] + "*" * (len(name) - 1)
    assert me["phone"] == who.phone[:3] + "****" + who.phone[-4:]
    assert me["realname_source"] == "idcheck"
    assert number not in resp.text + str(me) and name not in str(me)
    person = await Person.get(id=who.person_id)
    assert number not in (person.id_number_enc or "")
    await require_level(who.person_id, 2)
    with pytest.raises(ApiError) as err:
        await require_level(who.person_id, 3)
    assert err.value.code == "REALNAME_LEVEL_REQUIRED"
    assert err.value.fields["required_level"] == 3


async def test_face_verification_gives_l3_once(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    base = sims["idcheck"].base_url
    who = await citizen()
    await consent(api, who.headers, "realname")
    name, number = await known_person(base)
    assert (await verify_l2(api, who.headers, name, number)).status_code == 200
    no_consent = await api.post("/api/v1/realname/face/start", json={}, headers=who.headers)
    assert no_consent.json()["error"]["code"] == "CONSENT_REQUIRED"
    await consent(api, who.headers, "face")
    foreign = await api.post(
        "/api/v1/realname/face/start",
        json={"redirect_url": "https://evil.example/steal"},
        headers=who.headers,
    )
    assert foreign.status_code == 400
    assert foreign.json()["error"]["code"] == "REDIRECT_URI_INVALID"
    start = await api.post("/api/v1/realname/face/start", json={}, headers=who.headers)
    assert start.status_code == 201, start.text
    token = start.json()["biz_token"]
    early = await api.post(
        "/api/v1/realname/face/finish", json={"biz_token": token}, headers=who.headers
    )
    assert early.status_code == 422
    async with httpx.AsyncClient() as sim:
        await sim.post(f"{base}/_sim/face/{token}/complete", json={"live": True})
    done = await api.post(
        "/api/v1/realname/face/finish", json={"biz_token": token}, headers=who.headers
    )
    assert done.status_code == 200, done.text
    assert done.json()["realname_level"] == 3
    again = await api.post(
        "/api/v1/realname/face/finish", json={"biz_token": token}, headers=who.headers
    )
    assert again.status_code == 422
    await require_recent_verification(who.person_id, 3, timedelta(minutes=5))
    with pytest.raises(ApiError) as err:
        await require_recent_verification(who.person_id, 3, timedelta(seconds=0))
    assert err.value.code == "STEP_UP_REQUIRED"


async def test_failed_liveness_changes_nothing(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    base = sims["idcheck"].base_url
    who = await citizen()
    await consent(api, who.headers, "face")
    name, number = await known_person(base)
    start = await api.post(
        "/api/v1/realname/face/start",
        json={"name": name, "id_number": number},
        headers=who.headers,
    )
    token = start.json()["biz_token"]
    async with httpx.AsyncClient() as sim:
        await sim.post(f"{base}/_sim/face/{token}/complete", json={"live": False})
    resp = await api.post(
        "/api/v1/realname/face/finish", json={"biz_token": token}, headers=who.headers
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "FACE_MISMATCH"
    await _unchanged(who.person_id)


async def test_uncertified_alipay_account_does_not_prove_l2(api, sims) -> None:  # type: ignore[no-untyped-def]
    issued = await alipay_code(
        sims["alipay"].base_url, user_name="未认证", cert_no=new_id_number(), is_certified="F"
    )
    login = (await alipay_login(api, issued["auth_code"])).json()
    headers = bearer(login["access_token"])
    await consent(api, headers, "realname")
    resp = await api.post("/api/v1/realname/alipay", headers=headers)
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "ALIPAY_NOT_CERTIFIED"
    person = await Person.get(id=login["person_id"])
    assert person.realname_level == 0 and person.id_number_bidx is None


async def test_identity_routes_are_documented(api) -> None:  # type: ignore[no-untyped-def]
    spec = (await api.get("/docs/openapi.json")).json()
    for path in ("/api/v1/realname/idcard", "/api/v1/auth/wechat/login", "/api/v1/me/sessions"):
        assert path in spec["paths"], path


async def test_face_needs_an_identity_and_attempts_are_limited(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    await consent(api, who.headers, "face")
    bare = await api.post("/api/v1/realname/face/start", json={}, headers=who.headers)
    assert bare.status_code == 400
    assert bare.json()["error"]["code"] == "IDENTITY_REQUIRED"
    await consent(api, who.headers, "realname")
    name, number = await known_person(sims["idcheck"].base_url)
    codes = [
        (await verify_l2(api, who.headers, name + "某", number)).status_code for _ in range(11)
    ]
    assert codes == [422] * 10 + [429]
    await _unchanged(who.person_id)
