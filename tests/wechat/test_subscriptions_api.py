"""``GET /api/v1/wechat/subscriptions``: what the H5's subscription page shows is what the
WeChat callback recorded (the page never posts a consent itself)."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.identity_flows import wechat_login
from tests.wechat.wechat_support import send


async def test_the_page_reads_the_consents_wechat_reported(
    api: Any, sims: Any, settings: Any, citizen: Any
) -> None:
    openid = "o" + uuid.uuid4().hex[:27]
    tokens = (await wechat_login(api, sims["wechat"].base_url, settings.public_base_url,
                                 openid)).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    r = await api.get("/api/v1/wechat/subscriptions", headers=headers)
    assert r.status_code == 200, r.text
    template = settings.wechat_subscribe_template_id
    assert r.json() == {"bound": True, "templates": [
        {"template_id": template, "kind": "one_time", "accepted": False, "remaining": 0}]}

    templates = [{"id": template, "status": "accept"}]
    await send(sims["wechat"].base_url, "subscribe_msg_popup", openid=openid, templates=templates)
    shown = (await api.get("/api/v1/wechat/subscriptions", headers=headers)).json()
    assert shown["templates"][0]["accepted"] and shown["templates"][0]["remaining"] == 1

    someone = await citizen()  # no WeChat account: nothing to show, nobody else's consents
    other = (await api.get("/api/v1/wechat/subscriptions", headers=someone.headers)).json()
    assert other == {"bound": False, "templates": [
        {"template_id": template, "kind": "one_time", "accepted": False, "remaining": 0}]}
    assert (await api.get("/api/v1/wechat/subscriptions")).status_code == 401
