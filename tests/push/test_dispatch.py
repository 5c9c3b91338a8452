"""Outbox → notification → routed deliveries, through the real notifiers and simulators."""

from __future__ import annotations

import asyncio
from typing import Any

from app import clock
from models.push import Device, InboxMessage
from push.delivery import Policy, claim, record, send_all
from sandbox.jpush import Fault
from tests.push.conftest import (
    FAST,
    deliveries,
    emit_event,
    new_person,
    notification_for,
    wait_until,
)


async def test_supplement_notice_goes_by_app_push_and_inbox(make_dispatcher: Any, jpush: Any
                                                            ) -> None:
    person, regs, _ = await new_person(devices=1)
    event = await emit_event("case.supplement_requested", person, "normal",
                             reason="身份证复印件不清晰")
    await make_dispatcher().drain()
    n = await notification_for(event)
    assert n.priority == "critical" and n.state == "delivered"  # 补正 is a legal notice
    d = (await deliveries(n.id))["app_push"]
    assert d.state == "sent" and d.platform_message_id and d.attempts == 1
    assert (regs[0], f"zsb-{n.id}-app_push") in jpush.shown
    inbox = await InboxMessage.get(notification_id=n.id)
    assert inbox.title == "补正通知" and "身份证复印件不清晰" in inbox.body
    assert inbox.person_id == person and inbox.read_at is None


async def test_unregistered_device_falls_through_to_sms(make_dispatcher: Any, jpush: Any,
                                                        sims: dict[str, Any]) -> None:
    person, regs, _ = await new_person(devices=1)
    jpush.unregistered.add(regs[0])
    event = await emit_event("case.fee_due", person, "critical")
    await make_dispatcher().drain()
    n = await notification_for(event)
    ds = await deliveries(n.id)
    assert ds["app_push"].state == "failed" and ds["app_push"].raw_code == "1011"
    assert ds["sms"].state == "sent" and ds["sms"].platform_message_id
    assert n.state == "delivered"
    assert not (await Device.get(registration_id=regs[0])).active
    sms = [m for m in sims["sms"].app["state"]["messages"] if m["out_id"] == f"zsb-{n.id}-sms"]
    assert len(sms) == 1 and "缴费通知" in sms[0]["text"]


async def test_unfollowed_wechat_user_goes_to_the_next_channel(make_dispatcher: Any,
                                                               jpush: Any) -> None:
    import time

    from channels.wechat import store

    person, _regs, openid = await new_person(devices=1, wechat=True)
    assert openid is not None
    await store.unfollow(openid, int(time.time()))
    event = await emit_event("case.accepted", person)
    await make_dispatcher().drain()
    n = await notification_for(event)
    ds = await deliveries(n.id)
    assert ds["wechat_template"].state == "opted_out" and ds["wechat_template"].raw_code == "43004"
    assert ds["wechat_subscribe"].state == "out_of_consent"
    assert ds["app_push"].state == "sent"
    assert "sms" not in ds  # SMS is for critical notices only
    assert n.state == "delivered"


async def test_quota_errors_back_off_then_deliver(make_dispatcher: Any, jpush: Any) -> None:
    slow_backoff = Policy(lease_seconds=1.0, max_attempts=4, backoff_base=1.0, backoff_cap=2.0)
    dispatcher = make_dispatcher(policy=slow_backoff)
    await dispatcher.drain()  # nothing of other tests left to spend the fault on
    person, _regs, _ = await new_person(devices=1)
    event = await emit_event("case.accepted", person)
    while await dispatcher.expand_once():
        pass
    jpush.fault = Fault("quota", count=2)
    await dispatcher.deliver_once(1)
    n = await notification_for(event)
    first = (await deliveries(n.id))["app_push"]
    assert first.state == "queued" and first.raw_code == "2002" and first.attempts == 1
    assert first.next_attempt_at is not None and first.next_attempt_at > clock.now()

    async def delivered() -> bool:
        await dispatcher.drain()
        return (await deliveries(n.id))["app_push"].state == "sent"

    await wait_until(delivered)
    d = (await deliveries(n.id))["app_push"]
    assert d.attempts == 3 and d.raw_code == "0" and d.next_attempt_at is None


async def test_last_retry_is_a_dead_letter(make_dispatcher: Any, jpush: Any) -> None:
    person, _regs, _ = await new_person(phone=False, devices=1)
    jpush.fault = Fault("busy")
    event = await emit_event("case.completed", person)
    dispatcher = make_dispatcher()

    async def finished() -> bool:
        await dispatcher.drain()
        n = await notification_for(event)
        return n.state != "pending"

    await wait_until(finished)
    n = await notification_for(event)
    d = (await deliveries(n.id))["app_push"]
    assert d.state == "dead" and d.attempts == FAST.max_attempts and d.raw_code == "1000"
    assert n.state == "undeliverable"


async def test_concurrent_claims_take_disjoint_rows(make_dispatcher: Any, jpush: Any) -> None:
    people = [await new_person(devices=1) for _ in range(30)]
    for pid, _, _ in people:
        await emit_event("case.accepted", pid)
    dispatcher = make_dispatcher()
    while await dispatcher.expand_once():
        pass
    claims = await asyncio.gather(*(claim(1, 10, worker=f"w{i}", policy=FAST)
                                    for i in range(4)))
    ids = [c.row["id"] for _, batch in claims for c in batch]
    assert len(ids) == len(set(ids)) >= 30 and all(len(b) <= 10 for _, b in claims)
    for token, batch in claims:  # finish them so later tests see a clean queue
        await send_all(batch, dispatcher.notifier_for, 10)
        await record(token, batch, FAST, quiet_hours="")


async def test_a_malformed_event_does_not_block_the_outbox(make_dispatcher: Any,
                                                           jpush: Any) -> None:
    from models.core import OutboxEvent
    from models.push import Notification

    person, _regs, _ = await new_person(devices=1)
    bad = await emit_event("payment.paid", person, amount_fen="一百元")
    good = await emit_event("payment.paid", person, amount_fen=2500)
    await make_dispatcher().drain()
    assert (await OutboxEvent.get(id=bad)).processed_at is not None
    assert not await Notification.filter(event_id=bad).exists()
    n = await notification_for(good)
    assert n.state == "delivered" and "25.00" in n.body


async def test_wechat_template_is_accepted_then_delivered_by_its_receipt(
    make_dispatcher: Any, sims: dict[str, Any]
) -> None:
    import time

    from channels.wechat import store

    person, _regs, openid = await new_person(devices=1, wechat=True)
    assert openid is not None
    await store.follow(openid, None, int(time.time()))
    event = await emit_event("case.approved", person)
    await make_dispatcher().drain()
    n = await notification_for(event)
    ds = await deliveries(n.id)
    assert set(ds) == {"wechat_template"}  # the first channel took it: nothing falls through
    # the simulator posts its receipt at once: on a busy machine it can land before this read
    assert ds["wechat_template"].state in ("accepted", "delivered")
    assert ds["wechat_template"].platform_message_id
    sent = [m for m in sims["wechat"].app["state"]["sent_templates"] if m["touser"] == openid]
    assert len(sent) == 1

    async def receipted() -> bool:  # the simulator posts TEMPLATESENDJOBFINISH to our server
        return (await deliveries(n.id))["wechat_template"].state == "delivered"

    await wait_until(receipted)
    assert (await deliveries(n.id))["wechat_template"].raw_code == "success"


async def test_wechat_subscribe_notice_is_settled_by_its_sent_event(
    make_dispatcher: Any, sims: dict[str, Any], settings: Any
) -> None:
    """bizsend answers no msgid: the subscribe_msg_sent_event names openid and template, and
    settles the oldest send of that template to that openid; the same receipt again is a
    no-op, and a failure receipt falls through to the next channel."""
    import time

    from channels.wechat import store
    from channels.wechat.messages import SubscribeChoice
    from channels.wechat.notifier import bizsend_key
    from push import receipts

    person, _regs, openid = await new_person(wechat=True)
    assert openid is not None
    await store.unfollow(openid, int(time.time()) - 20)  # left: no template message
    template = settings.wechat_subscribe_template_id
    accept = [SubscribeChoice(template, "accept")]
    await store.record_choices(openid, accept, int(time.time()) - 10, frozenset())
    await store.record_choices(openid, accept, int(time.time()) - 5, frozenset())
    first = await emit_event("case.approved", person)
    await make_dispatcher().drain()
    n = await notification_for(first)
    ds = await deliveries(n.id)
    assert ds["wechat_template"].state == "opted_out"
    assert ds["wechat_subscribe"].state == "accepted"
    assert ds["wechat_subscribe"].platform_message_id == bizsend_key(template, openid)

    async def receipted() -> bool:  # the simulator posts subscribe_msg_sent_event
        return (await deliveries(n.id))["wechat_subscribe"].state == "delivered"

    await wait_until(receipted)
    settled = (await deliveries(n.id))["wechat_subscribe"]
    assert settled.raw_code == "success" and settled.platform_message_id.isdigit()
    again = await receipts.record_unnamed_receipt(
        "wechat_subscribe", bizsend_key(template, openid), openid,
        settled.platform_message_id, False, "43101", quiet_hours="")
    assert not again and (await deliveries(n.id))["wechat_subscribe"].state == "delivered"

    # the second send, receipted as failed by hand (the simulator's own receipt is raced
    # out by stopping it): the notification goes on to SMS
    base = sims["wechat"].base_url
    from tests.wechat.wechat_support import sim_call

    await sim_call(base, "/_sim/faults", {"receipts": False})
    try:
        second = await emit_event("case.approved", person)
        await make_dispatcher().drain()
        n2 = await notification_for(second)
        assert (await deliveries(n2.id))["wechat_subscribe"].state == "accepted"
        assert await receipts.record_unnamed_receipt(
            "wechat_subscribe", bizsend_key(template, openid), openid, "990001", False, "43101",
            quiet_hours="")
    finally:
        await sim_call(base, "/_sim/faults", {"receipts": True})
    ds = await deliveries(n2.id)
    assert ds["wechat_subscribe"].state == "failed" and ds["wechat_subscribe"].raw_code == "43101"
    assert ds["sms"].state in {"queued", "sent"}
