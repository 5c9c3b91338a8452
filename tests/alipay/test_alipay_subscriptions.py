"""Mini-program subscription consents: the citizen API and the ``alipay_subscribe`` notifier
sending through the gateway simulator, on the run's database."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
import pytest

from app.identity.accounts import login_or_register
from app.interfaces import DeliveryOutcome, OutboundMessage, PlatformIdentity
from app.security.tokens import issue_pair
from channels.alipay import subscriptions
from channels.alipay.notifier import AlipaySubscribeNotifier
from models.alipay import AlipaySubscription, SubscriptionKind
from sandbox.runner import RunningSimulator


def new_user_id() -> str:
    return "2088" + "".join(random.choices("0123456789", k=12))


def message(subject: str, template_id: str | None = "TPL_PROGRESS", **kw: Any) -> OutboundMessage:
    return OutboundMessage(recipient=subject, title="办件进度", body="您的办件已受理",
                           template_id=template_id, link="pages/case/index?id=1", **kw)


@pytest.fixture
def notifier(server: Any) -> AlipaySubscribeNotifier:
    return server.app.ctx.edges.notifier("alipay_subscribe")


@pytest.fixture
def alipay_sim(sims: dict[str, RunningSimulator]) -> RunningSimulator:
    return sims["alipay"]


async def alipay_citizen(subject: str) -> dict[str, str]:
    person_id = await login_or_register(PlatformIdentity("alipay", subject))
    pair = await issue_pair("citizen", person_id, device="pytest", channel="alipay")
    return {"Authorization": f"Bearer {pair.access_token}"}


async def test_one_time_consent_is_spent_once(
    notifier: AlipaySubscribeNotifier, alipay_sim: RunningSimulator
) -> None:
    subject = new_user_id()
    assert (await notifier.send(message(subject))).raw_code == "no_consent"
    await subscriptions.record(subject, None, ["TPL_PROGRESS"], [], SubscriptionKind.ONE_TIME)
    sent = await notifier.send(message(subject, data={"keyword1": "受理", "keyword2": "2026"}))
    assert sent.outcome is DeliveryOutcome.SENT
    last = alipay_sim.app["state"].messages[-1]
    assert last["to"] == subject and last["template_id"] == "TPL_PROGRESS"
    assert last["data"] == {"keyword1": {"value": "受理"}, "keyword2": {"value": "2026"}}
    again = await notifier.send(message(subject))
    assert (again.outcome, again.raw_code) == (DeliveryOutcome.PERMANENT, "no_consent")


async def test_concurrent_sends_share_one_consent(notifier: AlipaySubscribeNotifier) -> None:
    subject = new_user_id()
    await subscriptions.record(subject, None, ["TPL_PROGRESS"], [], SubscriptionKind.ONE_TIME)
    await subscriptions.record(subject, None, ["TPL_PROGRESS"], [], SubscriptionKind.ONE_TIME)
    results = await asyncio.gather(*(notifier.send(message(subject)) for _ in range(6)))
    assert sum(r.outcome is DeliveryOutcome.SENT for r in results) == 2
    row = await AlipaySubscription.get(subject=subject, template_id="TPL_PROGRESS")
    assert (row.remaining, row.sent_count) == (0, 2)


async def test_long_term_consent_is_not_spent_until_declined(
    notifier: AlipaySubscribeNotifier,
) -> None:
    subject = new_user_id()
    await subscriptions.record(subject, None, ["TPL_LONG"], [], SubscriptionKind.LONG_TERM)
    for _ in range(3):
        assert (await notifier.send(message(subject, "TPL_LONG"))).outcome is DeliveryOutcome.SENT
    await subscriptions.record(subject, None, [], ["TPL_LONG"], SubscriptionKind.LONG_TERM)
    assert (await notifier.send(message(subject, "TPL_LONG"))).raw_code == "no_consent"


async def test_retryable_failure_gives_the_consent_back(
    notifier: AlipaySubscribeNotifier, alipay_sim: RunningSimulator, api: httpx.AsyncClient
) -> None:
    subject = new_user_id()
    await subscriptions.record(subject, None, ["TPL_PROGRESS"], [], SubscriptionKind.ONE_TIME)
    async with httpx.AsyncClient() as client:
        r = await client.post(f"{alipay_sim.base_url}/_sim/fail", json={
            "method": "alipay.open.app.mini.templatemessage.send", "code": "20000",
            "sub_code": "isp.unknow-error"})
        assert r.status_code == 200
    busy = await notifier.send(message(subject))
    assert (busy.outcome, busy.raw_code) == (DeliveryOutcome.RETRYABLE, "isp.unknow-error")
    assert (await notifier.send(message(subject))).outcome is DeliveryOutcome.SENT


async def test_platform_says_no_subscription(
    notifier: AlipaySubscribeNotifier, alipay_sim: RunningSimulator
) -> None:
    subject = new_user_id()
    await subscriptions.record(subject, None, ["TPL_LONG"], [], SubscriptionKind.LONG_TERM)
    async with httpx.AsyncClient() as client:
        await client.post(f"{alipay_sim.base_url}/_sim/fail", json={
            "method": "alipay.open.app.mini.templatemessage.send", "code": "40004",
            "sub_code": "USER_NOT_SUBSCRIBE", "sub_msg": "用户未订阅"})
    gone = await notifier.send(message(subject, "TPL_LONG"))
    assert (gone.outcome, gone.raw_code) == (DeliveryOutcome.PERMANENT, "no_consent")
    assert not (await AlipaySubscription.get(subject=subject, template_id="TPL_LONG")).active


async def test_default_template_and_empty_recipient(notifier: AlipaySubscribeNotifier) -> None:
    subject = new_user_id()
    default = notifier.default_template
    await subscriptions.record(subject, None, [default], [], SubscriptionKind.ONE_TIME)
    assert (await notifier.send(message(subject, None))).outcome is DeliveryOutcome.SENT
    assert (await notifier.send(message("", None))).raw_code == "no_consent"


# ---------------------------------------------------------------- citizen API


async def test_record_and_list_subscriptions(api: httpx.AsyncClient) -> None:
    subject = new_user_id()
    headers = await alipay_citizen(subject)
    answer = {"accepted": ["TPL_A", "TPL_B"], "rejected": ["TPL_C"], "kind": "one_time"}
    r = await api.post("/api/v1/alipay/subscriptions", json=answer, headers=headers)
    assert r.status_code == 200, r.text
    r = await api.post("/api/v1/alipay/subscriptions", json={"accepted": ["TPL_A"]},
                       headers=headers)
    got = {s["template_id"]: s for s in r.json()["subscriptions"]}
    assert got["TPL_A"]["remaining"] == 2 and got["TPL_B"]["remaining"] == 1
    assert "TPL_C" not in got
    r = await api.post("/api/v1/alipay/subscriptions",
                       json={"accepted": ["TPL_L"], "kind": "long_term"}, headers=headers)
    listed = await api.get("/api/v1/alipay/subscriptions", headers=headers)
    assert listed.status_code == 200
    long_term = next(s for s in listed.json()["subscriptions"] if s["template_id"] == "TPL_L")
    assert long_term == {"template_id": "TPL_L", "kind": "long_term", "active": True,
                         "remaining": -1}
    row = await AlipaySubscription.get(subject=subject, template_id="TPL_A")
    assert row.person_id is not None


async def test_subscriptions_need_an_alipay_account_and_valid_input(
    api: httpx.AsyncClient, citizen: Any
) -> None:
    r = await api.post("/api/v1/alipay/subscriptions", json={"accepted": ["TPL_A"]})
    assert r.status_code == 401
    someone = await citizen()
    r = await api.post("/api/v1/alipay/subscriptions", json={"accepted": ["TPL_A"]},
                       headers=someone.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "ALIPAY_NOT_BOUND"
    headers = await alipay_citizen(new_user_id())
    for bad in ({"accepted": ["no spaces allowed"]}, {"accepted": ["x"] * 21},
                {"kind": "forever"}, {"accepted": "TPL_A"}, {"extra": 1}):
        r = await api.post("/api/v1/alipay/subscriptions", json=bad, headers=headers)
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["error"]["code"] == "VALIDATION_FAILED"


async def test_documented_in_openapi(api: httpx.AsyncClient) -> None:
    r = await api.get("/docs/openapi.json")
    assert r.status_code == 200
    assert "post" in r.json()["paths"]["/api/v1/alipay/subscriptions"]
