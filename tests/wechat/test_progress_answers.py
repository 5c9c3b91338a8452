"""“进度 <办件编号>” and the case QR scene answer the applicant's own bound openid only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.cases.conftest import make_item
from tests.wechat.wechat_support import new_openid, send

pytestmark = pytest.mark.usefixtures("server")


async def _bind(person_id: int, openid: str) -> None:
    from models.identity import ChannelAccount

    await ChannelAccount.create(person_id=person_id, channel="wechat", subject=openid)


async def test_progress_only_for_the_applicants_own_openid(
    api: httpx.AsyncClient, sims: dict, citizen: Any
) -> None:
    from models.core import Department

    dept, _ = await Department.get_or_create(code="GA", defaults={"name": "测试部门GA"})
    item = await make_item(dept.id)
    owner = await citizen()
    r = await api.post("/api/v1/cases", json={"item_code": item["code"]}, headers=owner.headers)
    assert r.status_code == 201, r.text
    number = r.json()["number"]

    base, mine, theirs = sims["wechat"].base_url, new_openid(), new_openid()
    await _bind(owner.person_id, mine)
    reply = (await send(base, "text", openid=mine, content=f"进度 {number}"))["reply"]
    assert f"办件编号：{number}" in reply and "当前进度：未提交" in reply
    assert item["name"] in reply

    # the QR code on the acceptance notice: same answer after the welcome
    reply = (await send(base, "subscribe", openid=mine, scene=f"case_{number}"))["reply"]
    assert "欢迎关注掌上办" in reply and "当前进度：未提交" in reply
    reply = (await send(base, "click", openid=mine, key="MY_CASES"))["reply"]
    assert number in reply

    # someone else, bound or not, learns nothing about the case
    other = await citizen()
    await _bind(other.person_id, theirs)
    reply = (await send(base, "text", openid=theirs, content=f"进度 {number}"))["reply"]
    assert "未找到" in reply and "未提交" not in reply
    reply = (await send(base, "scan", openid=new_openid(), scene=f"case_{number}"))["reply"]
    assert "尚未绑定" in reply and "未提交" not in reply
