"""The push pipeline's WeChat notifiers: follower and consent rules, receipts, errcodes."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from app.http import open_session
from app.interfaces import DeliveryOutcome, Notifier, OutboundMessage
from app.kv import KeyValue
from app.settings import Settings
from channels.wechat import store
from channels.wechat.messages import SubscribeChoice
from channels.wechat.notifier import build_subscribe, build_template
from models.wechat import ConsentKind, InboundCallback, SubscribeConsent
from tests.wechat.wechat_support import new_openid, send, sim_call, wait_for

pytestmark = pytest.mark.usefixtures("server")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    session = open_session(5.0)
    yield session
    await session.close()


def _message(
    openid: str, template_id: str | None = None, key: str | None = None
) -> OutboundMessage:
    return OutboundMessage(
        recipient=openid,
        title="办件进度提醒",
        body="您的办件已受理",
        template_id=template_id,
        link="https://zsb.example.cn/h5/cases/1",
        idempotency_key=key or new_openid(),
    )


async def test_template_skips_who_unfollowed_then_sends_and_gets_a_receipt(
    server: object, sims: dict, settings: Settings, http: aiohttp.ClientSession, kv: KeyValue
) -> None:
    notifier = build_template(settings, http, kv)
    assert isinstance(notifier, Notifier) and notifier.channel == "wechat_template"
    base, openid = sims["wechat"].base_url, new_openid()
    await send(base, "unsubscribe", openid=openid)
    calls = len(sims["wechat"].app["state"]["sent_templates"])
    result = await notifier.send(_message(openid))
    assert (result.outcome, result.raw_code) == (DeliveryOutcome.PERMANENT, "43004")
    assert len(sims["wechat"].app["state"]["sent_templates"]) == calls  # WeChat not asked

    # someone never seen (followed before this server knew): WeChat decides
    assert (await notifier.send(_message(new_openid()))).outcome is DeliveryOutcome.SENT
    await send(base, "subscribe", openid=openid, create_time=int(time.time()) + 1)
    result = await notifier.send(_message(openid))
    assert result.outcome is DeliveryOutcome.SENT and result.platform_message_id
    sent = sims["wechat"].app["state"]["sent_templates"][-1]
    assert sent["touser"] == openid and sent["data"]["first"] == {"value": "办件进度提醒"}
    assert sent["template_id"] == settings.wechat_template_id

    async def receipt() -> bool:
        return await InboundCallback.filter(openid=openid, event="templatesendjobfinish").exists()

    assert await wait_for(receipt)


async def test_template_errcodes_map_to_outcomes(
    server: object, sims: dict, settings: Settings, http: aiohttp.ClientSession, kv: KeyValue
) -> None:
    notifier = build_template(settings, http, kv)
    openid = new_openid()
    await send(sims["wechat"].base_url, "subscribe", openid=openid)
    base = sims["wechat"].base_url
    await sim_call(base, "/_sim/faults", {"quota": 1})
    assert (await notifier.send(_message(openid))).raw_code == "45009"
    await sim_call(base, "/_sim/faults", {"busy": 1})
    result = await notifier.send(_message(openid))
    assert (result.outcome, result.raw_code) == (DeliveryOutcome.RETRYABLE, "-1")
    result = await notifier.send(_message(openid, template_id="bad-template"))
    assert (result.outcome, result.raw_code) == (DeliveryOutcome.PERMANENT, "40037")
    # WeChat says the user left though we missed the event: believed, and remembered
    await sim_call(base, "/_sim/faults", {"unsubscribed": [openid]})
    result = await notifier.send(_message(openid))
    assert (result.outcome, result.raw_code) == (DeliveryOutcome.PERMANENT, "43004")
    await sim_call(base, "/_sim/faults", {"unsubscribed": []})
    assert await store.has_unfollowed(openid)


async def test_expired_token_is_refreshed_transparently(
    server: object, sims: dict, settings: Settings, http: aiohttp.ClientSession, kv: KeyValue
) -> None:
    notifier = build_template(settings, http, kv)
    openid = new_openid()
    await send(sims["wechat"].base_url, "subscribe", openid=openid)
    assert (await notifier.send(_message(openid))).outcome is DeliveryOutcome.SENT
    await sim_call(sims["wechat"].base_url, "/_sim/faults", {"expire_token": True})
    assert (await notifier.send(_message(openid))).outcome is DeliveryOutcome.SENT


async def test_subscribe_consents_are_recorded_and_spent(
    server: object, sims: dict, settings: Settings, http: aiohttp.ClientSession, kv: KeyValue
) -> None:
    notifier = build_subscribe(settings, http, kv)
    assert notifier.channel == "wechat_subscribe"
    base, openid = sims["wechat"].base_url, new_openid()
    templates = [{"id": "SUB_A", "status": "accept"}, {"id": "SUB_B", "status": "reject"}]
    out = await send(base, "subscribe_msg_popup", openid=openid, templates=templates)
    assert out["body"] == "success"
    consent = await SubscribeConsent.get(openid=openid, template_id="SUB_A")
    assert consent.accepted and consent.remaining == 1 and consent.kind is ConsentKind.ONE_TIME

    assert (await notifier.send(_message(openid, "SUB_A"))).outcome is DeliveryOutcome.SENT
    again = await notifier.send(_message(openid, "SUB_A"))
    assert (again.outcome, again.raw_code) == (DeliveryOutcome.PERMANENT, "43101")
    refused = await notifier.send(_message(openid, "SUB_B"))
    assert refused.raw_code == "43101"
    assert (
        len([s for s in sims["wechat"].app["state"]["sent_subscribe"] if s["touser"] == openid])
        == 1
    )

    # accepting again renews; a busy WeChat gives the consent back for the retry
    await send(
        base,
        "subscribe_msg_popup",
        openid=openid,
        templates=templates[:1],
        create_time=int(time.time()) + 5,
    )
    await sim_call(base, "/_sim/faults", {"busy": 1})
    assert (await notifier.send(_message(openid, "SUB_A"))).outcome is DeliveryOutcome.RETRYABLE
    assert (await notifier.send(_message(openid, "SUB_A"))).outcome is DeliveryOutcome.SENT

    # the user switches it off in settings
    await send(
        base,
        "subscribe_msg_change",
        openid=openid,
        templates=[{"id": "SUB_A", "status": "reject"}],
        create_time=int(time.time()) + 9,
    )
    assert not (await SubscribeConsent.get(openid=openid, template_id="SUB_A")).accepted


async def test_one_time_acceptances_add_up_and_count_once_each(server: object) -> None:
    openid = new_openid()
    choice = SubscribeChoice(template_id="ONCE_1", status="accept")
    await store.record_choices(openid, [choice], 10, frozenset())
    await store.record_choices(openid, [choice], 10, frozenset())  # the same push acted on again
    await store.record_choices(openid, [choice], 11, frozenset())  # a second popup
    assert (await SubscribeConsent.get(openid=openid, template_id="ONCE_1")).remaining == 2
    assert await store.spend_consent(openid, "ONCE_1") is ConsentKind.ONE_TIME
    assert await store.spend_consent(openid, "ONCE_1") is ConsentKind.ONE_TIME
    assert await store.spend_consent(openid, "ONCE_1") is None
    for n in range(60):  # a user who taps "allow" again and again
        await store.record_choices(openid, [choice], 100 + n, frozenset())
    assert (await SubscribeConsent.get(openid=openid, template_id="ONCE_1")).remaining == 50
    reject = SubscribeChoice(template_id="ONCE_1", status="reject")
    await store.record_choices(openid, [reject], 200, frozenset())
    assert await store.spend_consent(openid, "ONCE_1") is None


async def test_long_term_consents_are_not_spent(server: object) -> None:
    openid = new_openid()
    choice = SubscribeChoice(template_id="LONG_1", status="accept")
    await store.record_choices(openid, [choice], 10, frozenset({"LONG_1"}))
    await store.record_choices(openid, [choice], 10, frozenset({"LONG_1"}))  # a retry
    assert await store.spend_consent(openid, "LONG_1") is ConsentKind.LONG_TERM
    assert await store.spend_consent(openid, "LONG_1") is ConsentKind.LONG_TERM
    assert await SubscribeConsent.filter(openid=openid).count() == 1


async def test_refusal_from_wechat_withdraws_the_consent(
    server: object, sims: dict, settings: Settings, http: aiohttp.ClientSession, kv: KeyValue
) -> None:
    notifier = build_subscribe(settings, http, kv)
    base, openid = sims["wechat"].base_url, new_openid()
    await send(base, "subscribe_msg_popup", openid=openid, templates=[{"id": "SUB_C"}])
    await sim_call(base, "/_sim/faults", {"refused": [openid]})
    result = await notifier.send(_message(openid, "SUB_C"))
    await sim_call(base, "/_sim/faults", {"refused": []})
    assert (result.outcome, result.raw_code) == (DeliveryOutcome.PERMANENT, "43101")
    assert not (await SubscribeConsent.get(openid=openid, template_id="SUB_C")).accepted
