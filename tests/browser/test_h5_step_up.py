"""账号注销 on the H5 asks for a step-up (the SMS code to the phone on file) and then goes
through; the dialog is the one the server's STEP_UP_REQUIRED opens (issue 17, step-up)."""

from __future__ import annotations

import asyncio
from typing import Any

from models.identity import Person
from tests.conftest import skip_resend_wait


def _codes(sims: Any, phone: str) -> list[str]:
    return [str(m["params"]["code"]) for m in sims["sms"].app["state"]["messages"]
            if m["phone"] == phone]


async def test_deletion_asks_for_the_sms_code_first(phone: Any, citizen: Any, sims: Any,
                                                    kv: Any) -> None:
    who = await citizen()
    await skip_resend_wait(kv, who.phone)
    p = await phone(tokens={"access_token": who.access, "refresh_token": who.refresh,
                            "person_id": who.person_id})
    await p.open("/me/deletion")
    assert await p.rendered() == "deletion"
    await p.page.locator(".sure").click()
    await p.page.get_by_role("button", name="申请注销").click()
    await p.page.locator(".van-dialog").get_by_role("button", name="确认").click()
    dialog = p.page.locator('[data-test="step-up"]')
    await dialog.wait_for()
    sent_before = _codes(sims, who.phone)
    await p.page.locator('[data-test="step-up-send"]').click()
    for _ in range(250):  # the step-up code, not the login's (the simulator keeps both)
        if len(_codes(sims, who.phone)) > len(sent_before):
            break
        await asyncio.sleep(0.02)
    code = _codes(sims, who.phone)[-1]
    assert len(_codes(sims, who.phone)) > len(sent_before), "no step-up SMS"
    await p.page.locator('[data-test="step-up-code"] input').fill(code)
    await p.shot("50-step-up")
    await dialog.get_by_role("button", name="验证").click()
    await p.page.get_by_text("注销申请已提交").wait_for()
    assert (await Person.get(id=who.person_id)).status == "deleted"
