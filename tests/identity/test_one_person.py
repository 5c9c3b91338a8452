"""一次认证、全网通办: one L2 verification, the same person from the app, WeChat and Alipay."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import httpx

from app.security import pii
from models.cases import Case
from models.express import Direction, Shipment
from models.identity import Person
from tests.express.express_support import result_case, unique
from tests.support.identity_flows import (
    alipay_code,
    alipay_login,
    bearer,
    consent,
    known_person,
    verify_face,
    verify_l2,
    wechat_login,
)


async def _case_with_shipment(person_id: int, department_id: int) -> Shipment:
    case = await result_case(person_id, department_id)
    sealed = pii.encrypt("-")
    return await Shipment.create(
        case_id=case.id, person_id=person_id, department_id=department_id,
        direction=Direction.result_delivery, carrier="ems", waybill_no=unique("BIND"),
        receiver_name=sealed, receiver_phone=sealed, receiver_address=sealed,
        checked_at=datetime.now(UTC),
    )


async def test_same_person_from_all_three_channels(api, citizen, staff, sims, settings) -> None:  # type: ignore[no-untyped-def]
    wechat, public = sims["wechat"].base_url, settings.public_base_url
    app_user = await citizen()
    await consent(api, app_user.headers, "realname")
    name, number = await known_person(sims["idcheck"].base_url)
    assert (await verify_l2(api, app_user.headers, name, number)).status_code == 200

    # WeChat: a new login is a new, unverified person until it proves the same ID number
    openid = "o" + uuid.uuid4().hex[:27]
    wx = (await wechat_login(api, wechat, public, openid)).json()
    assert wx["person_id"] != app_user.person_id
    filed = await _case_with_shipment(wx["person_id"], (await staff()).department_id)
    await consent(api, bearer(wx["access_token"]), "realname")
    # knowing the name and number is not being the person: joining takes a face check
    known = await verify_l2(api, bearer(wx["access_token"]), name, number)
    assert known.status_code == 409 and known.json()["error"]["code"] == "REALNAME_CONFLICT"
    assert known.json()["error"]["fields"]["required_level"] == 3
    assert (await Case.get(id=filed.case_id)).person_id == wx["person_id"]  # nothing moved
    bound = await verify_face(
        api, bearer(wx["access_token"]), sims["idcheck"].base_url, name, number
    )
    assert bound.status_code == 200, bound.text
    body = bound.json()
    assert body["bound"] is True and body["person_id"] == app_user.person_id
    old = await api.get("/api/v1/me", headers=bearer(wx["access_token"]))
    assert old.status_code == 401  # the unverified login's session ended
    me = await api.get("/api/v1/me", headers=bearer(body["tokens"]["access_token"]))
    assert me.json()["person_id"] == app_user.person_id
    assert (await Person.get(id=wx["person_id"])).status == "merged"
    # what the WeChat login filed belongs to the verified person now
    assert (await Case.get(id=filed.case_id)).person_id == app_user.person_id
    assert (await Shipment.get(id=filed.id)).person_id == app_user.person_id

    # Alipay: the certified identity shared by Alipay proves the same ID number
    issued = await alipay_code(
        sims["alipay"].base_url, user_name=name, cert_no=number, is_certified="T"
    )
    ali = (await alipay_login(api, issued["auth_code"])).json()
    await consent(api, bearer(ali["access_token"]), "realname")
    shared = await api.post("/api/v1/realname/alipay", headers=bearer(ali["access_token"]))
    assert shared.status_code == 200, shared.text
    assert shared.json()["person_id"] == app_user.person_id

    # from now on every channel's login reaches the same person
    again_wx = (await wechat_login(api, wechat, public, openid)).json()
    again_ali = await alipay_login(
        api, (await _recode(sims["alipay"].base_url, issued["user_id"]))
    )
    assert again_wx["person_id"] == app_user.person_id
    assert again_ali.json()["person_id"] == app_user.person_id
    channels = (await api.get("/api/v1/me/channels", headers=app_user.headers)).json()
    assert sorted(c["channel"] for c in channels) == ["alipay", "app", "wechat"]
    assert all(openid not in c["account"] for c in channels)


async def _recode(alipay_base: str, user_id: str) -> str:
    return str((await alipay_code(alipay_base, user_id=user_id))["auth_code"])


async def test_conflicting_phone_needs_face_proof(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    base = sims["idcheck"].base_url
    first, second = await citizen(), await citizen()
    name, number = await known_person(base)
    await consent(api, first.headers, "realname")
    assert (await verify_l2(api, first.headers, name, number)).status_code == 200

    await consent(api, second.headers, "realname")
    clash = await verify_l2(api, second.headers, name, number)
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "REALNAME_CONFLICT"
    assert clash.json()["error"]["fields"]["required_level"] == 3
    still = await Person.get(id=second.person_id)
    assert still.status == "active" and still.id_number_bidx is None

    await consent(api, second.headers, "face")
    start = await api.post(
        "/api/v1/realname/face/start",
        json={"name": name, "id_number": number},
        headers=second.headers,
    )
    token = start.json()["biz_token"]
    async with httpx.AsyncClient() as sim:
        await sim.post(f"{base}/_sim/face/{token}/complete", json={"live": True})
    done = await api.post(
        "/api/v1/realname/face/finish", json={"biz_token": token}, headers=second.headers
    )
    assert done.status_code == 200, done.text
    assert done.json()["person_id"] == first.person_id and done.json()["realname_level"] == 3
    channels = (await api.get("/api/v1/me/channels", headers=first.headers)).json()
    assert [c["channel"] for c in channels] == ["app", "app"]


async def test_second_id_number_is_refused(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    base = sims["idcheck"].base_url
    who = await citizen()
    await consent(api, who.headers, "realname")
    name, number = await known_person(base)
    assert (await verify_l2(api, who.headers, name, number)).status_code == 200
    other_name, other = await known_person(base)
    resp = await verify_l2(api, who.headers, other_name, other)
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "REALNAME_ALREADY_VERIFIED"


async def test_concurrent_proofs_of_one_number_make_one_owner(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    first, second = await citizen(), await citizen()
    for who in (first, second):
        await consent(api, who.headers, "realname")
    name, number = await known_person(sims["idcheck"].base_url)
    answers = await asyncio.gather(
        verify_l2(api, first.headers, name, number), verify_l2(api, second.headers, name, number)
    )
    assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]
    owners = await Person.filter(id_number_bidx=pii.blind_index(number, "id_number")).count()
    assert owners == 1
