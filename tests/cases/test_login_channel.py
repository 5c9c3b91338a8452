"""The channel a case is filed on is the citizen's login channel, signed into the token, never
what the body claims (issue 17, problem 5)."""

from __future__ import annotations

import uuid

import httpx
import jwt

from app.identity.accounts import login_or_register
from app.interfaces import PlatformIdentity
from app.security.tokens import issue_pair
from models.core import Department
from tests.cases.conftest import make_item


async def _wechat_only_item() -> dict:
    dept, _ = await Department.get_or_create(code="CHAN", defaults={"name": "渠道测试局"})
    return await make_item(dept.id, channels=["wechat"], required_realname_level=0)


async def test_the_login_channel_is_a_claim_of_the_token(citizen) -> None:
    person = await citizen()
    claims = jwt.decode(person.access, options={"verify_signature": False})
    assert claims["channel"] == "app"


async def test_the_body_cannot_claim_another_channel(api: httpx.AsyncClient, citizen) -> None:
    item = await _wechat_only_item()
    person = await citizen()  # logged in through the app
    r = await api.post("/api/v1/cases", json={"item_code": item["code"], "channel": "wechat"},
                       headers=person.headers)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "CHANNEL_NOT_OFFERED"


async def test_a_wechat_login_files_on_wechat(api: httpx.AsyncClient) -> None:
    item = await _wechat_only_item()
    openid = f"o{uuid.uuid4().hex}"  # an openid, not a phone (the privacy scan knows phones)
    person_id = await login_or_register(PlatformIdentity("wechat", openid))
    pair = await issue_pair("citizen", person_id, device="pytest", channel="wechat")
    headers = {"Authorization": f"Bearer {pair.access_token}"}
    r = await api.post("/api/v1/cases", json={"item_code": item["code"], "channel": "app"},
                       headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["channel"] == "wechat"
