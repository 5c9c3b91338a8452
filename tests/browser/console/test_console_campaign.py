"""An operator's campaign in the console: the audience counted live while it is chosen, saved,
sent, and the progress bar followed to 100 % while the push dispatchers deliver it."""

from __future__ import annotations

import uuid
from typing import Any

from models.push import Device
from push.dispatcher import Dispatcher
from push.worker import notifier_lookup
from tests.cases.conftest import filed_case, make_item


async def test_an_operators_campaign_to_completion(
    desk: Any, api: Any, server: Any, staff: Any, citizen: Any
) -> None:
    dept = f"P{uuid.uuid4().hex[:6]}"
    operator = await staff(roles=["operator"], department=dept)
    item = await make_item(operator.department_id)
    for n in range(3):
        me = await citizen()
        await filed_case(api, me.headers, item)
        await Device.create(person_id=me.person_id,
                            registration_id=f"reg{uuid.uuid4().hex[:12]}{n}")

    d = await desk()
    await d.login(operator.username)
    await d.open("/campaigns", "campaigns")
    await d.click_action("new-campaign")
    dialog = d.page.locator(".el-dialog", has_text="新建推送")
    await dialog.locator('input[name="title"]').fill("社保卡换发提醒")
    await dialog.locator('textarea[name="body"]').fill("第三代社保卡已开放申领，可在掌上办办理。")
    await d.page.locator('[data-test="audience-size"]', has_text="3 人").wait_for()
    await d.shot("campaign-01-audience")
    await dialog.get_by_role("button", name="保存").click()
    await d.rendered("campaign")
    await d.click_action("send")
    await d.page.locator('[data-test="campaign-state"]', has_text="发送中").wait_for()

    dispatcher = Dispatcher(notifier_lookup(server.app.ctx.edges), server.app.ctx.kv,
                            quiet_hours="", idle=0.02)
    await dispatcher.campaigns_once()  # the recipients become messages, none delivered yet
    await d.page.locator('[data-test="channels"] .el-table__row').first.wait_for()
    await d.shot("campaign-02-expanded")
    await dispatcher.drain()
    bar = d.page.locator('[data-test="progress"]')
    await d.page.wait_for_function(
        "() => document.querySelector('[data-test=progress]')"
        ".getAttribute('aria-valuenow') === '100'", timeout=15_000)
    assert await bar.get_attribute("aria-valuenow") == "100"
    await d.page.locator('[data-test="campaign-state"]', has_text="投递中").wait_for()
    await d.shot("campaign-03-complete")

    r = await api.get("/api/v1/staff/push/campaigns", headers=operator.headers)
    [listed] = r.json()["items"]
    assert listed["total"] == 3 and listed["expanded"] == 3
