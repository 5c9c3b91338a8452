"""The 12345 hotline client against its simulator: callbacks believed only when signed, fresh
and unchanged; replies signed, idempotent by key, and every answer retryable or final."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from app.interfaces import FinalProviderError, RetryableProviderError
from app.settings import Settings
from app.tickets.hotline import CallbackRefused, HotlineDispatch, HotlineFeedback, HotlineReply
from channels.hotline.client import HotlineClient
from models.tickets import TicketType
from sandbox import hotline as sim_module
from sandbox.runner import RunningSimulator, start

PATH = "/callbacks/hotline"
DISPATCH = {"event": "dispatch", "dispatchId": "PD0001", "ticketNo": "12345-1", "typeCode": "02",
            "title": "窗口服务态度差", "content": "来电人反映……", "callerName": "张三",
            "callerPhone": "13800000000", "deptCode": "GA", "limitDays": 3,
            "dispatchedAt": "2026-11-23T09:00:00+08:00"}


@pytest.fixture
async def sim() -> AsyncIterator[RunningSimulator]:
    running = await start(sim_module.create_app())
    yield running
    await running.stop()


@pytest.fixture
async def client(sim: RunningSimulator) -> AsyncIterator[HotlineClient]:
    async with aiohttp.ClientSession() as http:
        yield HotlineClient(Settings(**sim_module.zsb_settings(sim.base_url)), http)


def signed(doc: dict, **kw: object) -> tuple[dict[str, str], bytes]:
    body = json.dumps(doc, ensure_ascii=False).encode()
    return sim_module._headers(body, **kw), body


def test_a_signed_dispatch_is_believed(client: HotlineClient) -> None:
    headers, body = signed(DISPATCH)
    verified = client.verify_callback("POST", PATH, headers, body)
    msg = verified.message
    assert isinstance(msg, HotlineDispatch)
    assert (msg.type, msg.department_code, msg.limit_days) == (TicketType.complaint, "GA", 3)
    assert msg.dispatched_at == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert verified.nonce == headers["X-Gov-Nonce"]
    assert set(verified.headers) == {"x-gov-appid", "x-gov-timestamp", "x-gov-nonce",
                                     "content-type"}


def test_feedback_is_read(client: HotlineClient) -> None:
    headers, body = signed({"event": "feedback", "dispatchId": "FB1", "ticketNo": "12345-1",
                            "satisfied": False, "comment": "没解决"})
    msg = client.verify_callback("POST", PATH, headers, body).message
    assert msg == HotlineFeedback("FB1", "12345-1", False, "没解决")


@pytest.mark.parametrize(("case", "code"), [
    ("forged", "1001"), ("stale", "1002"), ("tampered", "1001"), ("other_path", "1001"),
    ("no_headers", "1001"),
])
def test_refusals(client: HotlineClient, case: str, code: str) -> None:
    headers, body = signed(DISPATCH, secret="guess" if case == "forged" else sim_module.SECRET,
                           ts=int(time.time()) - 900 if case == "stale" else None)
    if case == "tampered":
        body = body.replace("张三".encode(), "李四".encode())
    if case == "no_headers":
        headers = {}
    with pytest.raises(CallbackRefused) as info:
        client.verify_callback("POST", "/callbacks/other" if case == "other_path" else PATH,
                               headers, body)
    assert info.value.code == code and info.value.status == 401


@pytest.mark.parametrize("doc", [
    {**DISPATCH, "typeCode": "99"}, {**DISPATCH, "title": ""}, {**DISPATCH, "limitDays": 0},
    {"event": "feedback", "dispatchId": "F", "ticketNo": "T"}, {"event": "other"},
])
def test_signed_but_malformed_is_refused(client: HotlineClient, doc: dict) -> None:
    headers, body = signed(doc)
    with pytest.raises(CallbackRefused) as info:
        client.verify_callback("POST", PATH, headers, body)
    assert (info.value.code, info.value.status) == ("2001", 400)


def reply(key: str = "reply-1", ticket_no: str = "12345-1") -> HotlineReply:
    return HotlineReply(key, ticket_no, "GA", "公安局", "已核实并整改。",
                        datetime(2026, 11, 24, 1, 0, tzinfo=UTC))


async def test_reply_is_taken_once(client: HotlineClient, sim: RunningSimulator) -> None:
    sim.app["state"]["tickets"]["12345-1"] = {"doc": DISPATCH, "replies": [], "state": "x"}
    first = await client.send_reply(reply())
    again = await client.send_reply(reply())
    assert first.receipt_no and again == first.__class__(first.receipt_no, True)
    [got] = sim.app["state"]["tickets"]["12345-1"]["replies"]
    assert got["content"] == "已核实并整改。" and got["repliedAt"] == "2026-11-24T09:00:00+08:00"


async def test_reply_errors(client: HotlineClient, sim: RunningSimulator) -> None:
    with pytest.raises(FinalProviderError) as final:
        await client.send_reply(reply(ticket_no="12345-unknown"))
    assert final.value.code == "2004"
    sim.app["state"]["tickets"]["12345-2"] = {"doc": DISPATCH, "replies": [], "state": "x"}
    sim.app["state"]["faults"].append({"times": 1, "code": "5000"})
    with pytest.raises(RetryableProviderError):
        await client.send_reply(reply("reply-2", "12345-2"))
    assert (await client.send_reply(reply("reply-2", "12345-2"))).receipt_no
