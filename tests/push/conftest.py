"""Helpers for the push pipeline tests: persons with channels, events, dispatchers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from app.outbox import emit
from app.security import pii
from models.identity import ChannelAccount, Person
from models.push import Delivery, Device, Notification
from push.delivery import Policy
from push.dispatcher import Dispatcher
from push.worker import notifier_lookup
from tests.support.pii_registry import new_phone


async def new_person(*, phone: bool = True, devices: int = 0, wechat: bool = False
                     ) -> tuple[int, list[str], str | None]:
    """A person; answer (person id, registration ids, openid)."""
    person = await Person.create(phone_enc=pii.encrypt(new_phone()) if phone else None)
    regs = [f"reg{uuid.uuid4().hex[:16]}" for _ in range(devices)]
    for reg in regs:
        await Device.create(person_id=person.id, registration_id=reg)
    openid = None
    if wechat:
        openid = f"o{uuid.uuid4().hex[:27]}"
        await ChannelAccount.create(person_id=person.id, channel="wechat", subject=openid)
    return person.id, regs, openid


async def emit_event(event_type: str, person_id: int, priority: str = "normal",
                     **payload: Any) -> int:
    payload.setdefault("case_no", f"2026{uuid.uuid4().int % 10**10:010d}")
    payload.setdefault("item_name", "个体工商户登记")
    async with in_transaction() as conn:
        # an id no real case has: other suites count the outbox events of their cases
        event_id = await emit(event_type, aggregate="case", aggregate_id=f"test-{person_id}",
                              payload=payload, person_id=person_id, priority=priority,
                              connection=conn)
    return event_id


async def notification_for(event_id: int) -> Notification:
    return await Notification.get(event_id=event_id)


async def deliveries(notification_id: int) -> dict[str, Delivery]:
    return {d.channel: d for d in await Delivery.filter(notification_id=notification_id)}


async def wait_until(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


FAST = Policy(lease_seconds=1.0, max_attempts=4, backoff_base=0.05, backoff_cap=0.2)


@pytest.fixture
def make_dispatcher(server: Any) -> Callable[..., Dispatcher]:
    def make(**kw: Any) -> Dispatcher:
        kw.setdefault("quiet_hours", "")
        kw.setdefault("policy", FAST)
        kw.setdefault("idle", 0.02)
        return Dispatcher(notifier_lookup(server.app.ctx.edges), server.app.ctx.kv, **kw)

    return make


@pytest.fixture
def jpush(sims: dict[str, Any]) -> Any:
    state = sims["jpush"].app["state"]
    yield state
    from sandbox.jpush import Fault

    state.fault = Fault()
