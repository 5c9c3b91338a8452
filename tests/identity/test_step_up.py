"""Step-up: account deletion, unbinding a channel and revealing one's own unmasked data need a
fresh SMS check of this login (issue 17, step-up)."""

from __future__ import annotations

from models.identity import Person
from tests.support.identity_flows import step_up


async def test_deletion_and_reveal_need_a_fresh_check(api, citizen, sims, kv) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    r = await api.post("/api/v1/me/deletion", json={}, headers=who.headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "STEP_UP_REQUIRED"
    assert r.json()["error"]["fields"]["method"] == "sms"
    assert (await Person.get(id=who.person_id)).status != "deleted"
    r = await api.post("/api/v1/me/reveal", json={"field": "phone"}, headers=who.headers)
    assert r.status_code == 403
    r = await api.delete("/api/v1/me/channels/1", headers=who.headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "STEP_UP_REQUIRED"

    r = await api.post("/api/v1/me/step-up", json={"code": "000000"}, headers=who.headers)
    assert r.status_code == 400  # no code was sent, or a wrong one
    await step_up(api, sims, kv, who)
    r = await api.post("/api/v1/me/reveal", json={"field": "phone"}, headers=who.headers)
    assert r.status_code == 200 and r.json()["value"] == who.phone

    # another login of the same person has not stepped up
    other = await citizen(phone=who.phone)
    r = await api.post("/api/v1/me/reveal", json={"field": "phone"}, headers=other.headers)
    assert r.status_code == 403
    r = await api.post("/api/v1/me/deletion", json={}, headers=who.headers)
    assert r.status_code == 201, r.text
