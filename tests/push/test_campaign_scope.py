"""Campaign audiences go by the one department-scope rule: an operator reaches only people with
a case with their department, person ids that name no one reachable are reported and not
counted, and a campaign above the approval threshold waits for an admin (issue 17, problem 2).
"""

from __future__ import annotations

from typing import Any

import httpx

from models.push import CampaignRecipient, InboxMessage
from tests.push.conftest import new_person
from tests.push.test_api import _case_for

BODY = {"title": "医保缴费提醒", "body": "2027年度城乡居民医保缴费已开始。"}


async def test_an_operator_reaches_only_their_departments_people(
    api: httpx.AsyncClient, staff: Any, make_dispatcher: Any
) -> None:
    operator = await staff(roles=["operator"], department="SCOPEA")
    mine, _, _ = await new_person(devices=1)
    stranger, _, _ = await new_person(devices=1)  # a case elsewhere only
    await _case_for(mine, "SCOPEA")
    await _case_for(stranger, "SCOPEB")
    ids = [mine, stranger, 2_000_000_000]  # the last names no one
    r = await api.post("/api/v1/staff/push/audience", headers=operator.headers,
                       json={"audience": {"kind": "persons", "person_ids": ids}})
    assert r.status_code == 200, r.text
    assert r.json()["audience_size"] == 1
    assert r.json()["unreachable_person_ids"] == [stranger, 2_000_000_000]

    r = await api.post("/api/v1/staff/push/campaigns", headers=operator.headers,
                       json={**BODY, "audience": {"kind": "persons", "person_ids": ids}})
    cid = r.json()["id"]
    r = await api.get(f"/api/v1/staff/push/campaigns/{cid}/preview", headers=operator.headers)
    assert r.json()["audience_size"] == 1
    r = await api.post(f"/api/v1/staff/push/campaigns/{cid}/send", headers=operator.headers)
    assert r.status_code == 200 and r.json()["total"] == 1, r.text
    await make_dispatcher().drain()
    assert await CampaignRecipient.filter(campaign_id=cid).values_list(
        "person_id", flat=True) == [mine]
    assert not await InboxMessage.filter(person_id=stranger).exists()


async def test_a_large_campaign_waits_for_an_admins_approval(
    api: httpx.AsyncClient, staff: Any, server: Any
) -> None:
    operator = await staff(roles=["operator"], department="SCOPEC")
    admin = await staff(roles=["admin"], department="SCOPEC")
    people = [(await new_person(devices=1))[0] for _ in range(3)]
    for p in people:
        await _case_for(p, "SCOPEC")
    saved = server.app.ctx.settings  # frozen: this test's server sees a copy with threshold 2
    server.app.ctx.settings = saved.model_copy(update={"campaign_approval_threshold": 2})
    try:
        r = await api.post("/api/v1/staff/push/campaigns", headers=operator.headers,
                           json={**BODY, "audience": {"kind": "persons", "person_ids": people}})
        cid = r.json()["id"]
        r = await api.get(f"/api/v1/staff/push/campaigns/{cid}/preview",
                          headers=operator.headers)
        assert r.json()["needs_approval"] is True
        r = await api.post(f"/api/v1/staff/push/campaigns/{cid}/send", headers=operator.headers)
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "CAMPAIGN_APPROVAL_REQUIRED"
        r = await api.post(f"/api/v1/staff/push/campaigns/{cid}/approve",
                           headers=operator.headers)
        assert r.status_code == 403
        r = await api.post(f"/api/v1/staff/push/campaigns/{cid}/approve", headers=admin.headers)
        assert r.status_code == 200 and r.json()["approved_at"], r.text
        r = await api.post(f"/api/v1/staff/push/campaigns/{cid}/send", headers=operator.headers)
        assert r.status_code == 200 and r.json()["total"] == 3, r.text
    finally:
        server.app.ctx.settings = saved
