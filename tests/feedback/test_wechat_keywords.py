"""WeChat chat keywords: “评价 <办件编号>” answers how to rate one's own case; “投诉 …” (and
咨询, 建议, 求助, 举报) opens one ticket per message, a WeChat retry opening nothing more."""

from __future__ import annotations

from typing import Any

import pytest

from models.identity import ChannelAccount
from models.tickets import Ticket
from tests.cases.conftest import filed_case
from tests.feedback.support import RATE_GOOD, completed_case, department
from tests.wechat.wechat_support import new_openid, send

pytestmark = pytest.mark.usefixtures("server")


async def _bound(citizen: Any) -> tuple[Any, str]:
    me, openid = await citizen(), new_openid()
    await ChannelAccount.create(person_id=me.person_id, channel="wechat", subject=openid)
    return me, openid


async def test_rate_keyword(api: Any, citizen: Any, staff: Any, sims: Any) -> None:
    dept = await department(staff)
    (me, openid), (_, stranger) = await _bound(citizen), await _bound(citizen)
    done = await completed_case(api, me.headers, dept)
    running = await filed_case(api, me.headers, dept.item)
    base = sims["wechat"].base_url

    async def ask(who: str, text: str) -> str:
        return str((await send(base, "text", openid=who, content=text))["reply"])

    reply = await ask(openid, f"评价 {done['number']}")
    assert f"/h5/cases/{done['id']}/rate" in reply and "好差评" in reply
    assert "办结后即可评价" in await ask(openid, f"评价 {running['number']}")
    assert "未找到" in await ask(stranger, f"评价 {done['number']}")
    assert "尚未绑定" in await ask(new_openid(), f"评价 {done['number']}")
    assert "格式不正确" in await ask(openid, "评价 ！！")
    await api.post(f"/api/v1/cases/{done['id']}/rating", json=RATE_GOOD, headers=me.headers)
    assert "您已对办件" in await ask(openid, f"评价 {done['number']}")
    assert "评价 办件编号" in await ask(openid, "帮助")


async def test_ticket_keyword_opens_one_ticket(citizen: Any, sims: Any) -> None:
    me, openid = await _bound(citizen)
    base = sims["wechat"].base_url
    msg = {"openid": openid, "content": "投诉 窗口工作人员态度差，让我来回跑了三次",
           "msg_id": "7300000000000000123", "repeat": 2}  # WeChat's retry of one message
    result = await send(base, "text", **msg)
    [ticket] = await Ticket.filter(person_id=me.person_id)
    assert (ticket.type, ticket.channel, ticket.state) == ("complaint", "wechat", "dispatching")
    assert ticket.subject == "窗口工作人员态度差，让我来回跑了三次"
    assert all(ticket.number in r["reply"] for r in result["all"])
    assert f"/h5/tickets/{ticket.id}" in result["reply"]
    usage = await send(base, "text", openid=openid, content="咨询")
    assert "请回复“咨询 内容”" in usage["reply"]
    assert await Ticket.filter(person_id=me.person_id).count() == 1
    unbound = await send(base, "text", openid=new_openid(), content="建议 多开几个窗口")
    assert "尚未绑定" in unbound["reply"]
