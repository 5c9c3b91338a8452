"""User centre: bound channels, sessions per device, account deletion."""

from __future__ import annotations

import uuid

from models.identity import ChannelAccount, DeletionRequest, Person
from tests.support.identity_flows import (
    bearer,
    consent,
    known_person,
    step_up,
    verify_face,
    verify_l2,
    wechat_login,
)


async def test_last_login_method_cannot_be_removed(api, citizen, sims, kv) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    await step_up(api, sims, kv, who)
    channels = (await api.get("/api/v1/me/channels", headers=who.headers)).json()
    assert len(channels) == 1 and channels[0]["channel"] == "app"
    assert channels[0]["account"] == who.phone[:3] + "****" + who.phone[-4:]
    resp = await api.delete(f"/api/v1/me/channels/{channels[0]['id']}", headers=who.headers)
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "LAST_LOGIN_METHOD"
    assert await ChannelAccount.exists(id=channels[0]["id"])


async def test_unbind_a_second_channel(api, citizen, sims, settings) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    name, number = await known_person(sims["idcheck"].base_url)
    await consent(api, who.headers, "realname")
    await verify_l2(api, who.headers, name, number)
    wx = (
        await wechat_login(
            api, sims["wechat"].base_url, settings.public_base_url, "o" + uuid.uuid4().hex[:27]
        )
    ).json()
    await consent(api, bearer(wx["access_token"]), "realname")
    bound = (await verify_face(
        api, bearer(wx["access_token"]), sims["idcheck"].base_url, name, number
    )).json()
    assert bound["bound"]
    wx_bound = bound["tokens"]["access_token"]
    assert (await api.get("/api/v1/me", headers=bearer(wx_bound))).status_code == 200
    channels = (await api.get("/api/v1/me/channels", headers=who.headers)).json()
    wechat = next(c for c in channels if c["channel"] == "wechat")
    resp = await api.delete(f"/api/v1/me/channels/{wechat['id']}", headers=who.headers)
    assert resp.status_code == 200
    left = (await api.get("/api/v1/me/channels", headers=who.headers)).json()
    assert [c["channel"] for c in left] == ["app"]
    # the session opened through the unbound WeChat login ends with it, the app's stays
    assert (await api.get("/api/v1/me", headers=bearer(wx_bound))).status_code == 401
    assert (await api.get("/api/v1/me", headers=who.headers)).status_code == 200


async def test_sessions_per_device_and_revoke(api, citizen) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    listed = (await api.get("/api/v1/me/sessions", headers=who.headers)).json()
    assert len(listed) == 1 and listed[0]["current"] is True
    current = listed[0]["session_id"]
    revoked = await api.delete(f"/api/v1/me/sessions/{current}", headers=who.headers)
    assert revoked.status_code == 200
    assert (await api.get("/api/v1/me", headers=who.headers)).status_code == 401
    refresh = await api.post("/api/v1/auth/refresh", json={"refresh_token": who.refresh})
    assert refresh.status_code == 401
    other = await citizen()
    foreign = await api.delete(f"/api/v1/me/sessions/{current}", headers=other.headers)
    assert foreign.status_code == 404


async def test_account_deletion_keeps_what_the_law_requires(api, citizen, sims, kv) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    await step_up(api, sims, kv, who)
    resp = await api.post("/api/v1/me/deletion", json={"reason": "不再使用"}, headers=who.headers)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["status"] == "done"
    assert any("档案" in line for line in body["retained"])
    person = await Person.get(id=who.person_id)
    assert person.status == "deleted" and person.phone_enc is None and person.phone_bidx is None
    assert not await ChannelAccount.exists(person_id=who.person_id)
    assert await DeletionRequest.exists(person_id=who.person_id)
    assert (await api.get("/api/v1/me", headers=who.headers)).status_code == 401


async def test_my_cases_and_consents(api, citizen, sims) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    cases = await api.get("/api/v1/me/cases", headers=who.headers)
    assert cases.status_code == 200 and cases.json() == []
    await consent(api, who.headers, "realname")
    mine = (await api.get("/api/v1/consents", headers=who.headers)).json()
    assert [(c["purpose"], c["withdrawn_at"]) for c in mine] == [("realname", None)]
    withdrawn = await api.delete("/api/v1/consents/realname", headers=who.headers)
    assert withdrawn.json() == {"withdrawn": 1}
    name, number = await known_person(sims["idcheck"].base_url)
    resp = await verify_l2(api, who.headers, name, number)
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "CONSENT_REQUIRED"


async def test_out_of_range_ids_answer_404_not_500(api, citizen, staff) -> None:  # type: ignore[no-untyped-def]
    who, clerk = await citizen(), await staff(roles=["clerk"])
    big = 2**40  # beyond a 32-bit id column: must never reach the database
    read = {"json": {"field": "phone", "reason": "核对身份信息"}}
    calls = [
        ("post", f"/api/v1/staff/persons/{big}/pii", read, clerk),
        ("get", f"/api/v1/companies/{big}/agents", {}, who),
        ("delete", f"/api/v1/companies/1/agents/{big}", {}, who),
        ("delete", f"/api/v1/me/sessions/{'x' * 300}", {}, who),
    ]
    for method, url, kw, caller in calls:
        resp = await getattr(api, method)(url, headers=caller.headers, **kw)
        assert resp.status_code == 404, (url, resp.text)


async def test_a_phone_unbound_after_a_merge_logs_into_nobody_merged(
    api, citizen, sims  # type: ignore[no-untyped-def]
) -> None:
    """Phone B's login joins the verified person (face check); unbound from that person, B
    logs in as a new person, never into the emptied record it came from."""
    owner = await citizen()
    name, number = await known_person(sims["idcheck"].base_url)
    await consent(api, owner.headers, "realname")
    await verify_l2(api, owner.headers, name, number)
    second = await citizen()
    await consent(api, second.headers, "realname")
    bound = (await verify_face(api, second.headers, sims["idcheck"].base_url, name, number)
             ).json()
    assert bound["bound"]
    merged = await Person.get(id=second.person_id)
    assert merged.status == "merged" and merged.phone_bidx is None and merged.phone_enc is None
    channels = (await api.get("/api/v1/me/channels", headers=owner.headers)).json()
    phone_b = [c for c in channels if c["channel"] == "app"][-1]  # the one bound last
    assert (await api.delete(f"/api/v1/me/channels/{phone_b['id']}", headers=owner.headers)
            ).status_code == 200
    again = await citizen(phone=second.phone)
    assert again.person_id not in (owner.person_id, second.person_id)
    assert (await api.get("/api/v1/me", headers=bearer(again.access))).status_code == 200
