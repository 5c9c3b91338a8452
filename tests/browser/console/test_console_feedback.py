"""好差评 and 12345 in the console: a department's 差评 is listed, its 整改 answered from the
browser; a complaint about the department is in its ticket queue and answered there."""

from __future__ import annotations

from typing import Any

from models.ratings import Rectification
from tests.feedback.support import RATE_BAD, completed_case, department


async def test_a_bad_rating_and_a_complaint_are_answered(
    desk: Any, api: Any, staff: Any, citizen: Any
) -> None:
    dept = await department(staff)
    me = await citizen()
    case = await completed_case(api, me.headers, dept)
    r = await api.post(f"/api/v1/cases/{case['id']}/rating", json=RATE_BAD, headers=me.headers)
    assert r.status_code == 201, r.text
    r = await api.post("/api/v1/tickets", headers=me.headers, json={
        "type": "complaint", "subject": "窗口排队太久", "text": "等了两个小时",
        "item_code": dept.item["code"]})
    assert r.status_code == 201, r.text

    d = await desk()
    await d.login(dept.clerk.username)
    await d.open("/feedback", "feedback")
    await d.page.get_by_text("等了很久才办好").wait_for()
    await d.shot("feedback-01-ratings")
    await d.page.get_by_role("tab", name="差评整改").click()
    await d.page.get_by_role("button", name="整改回复").click()
    await d.answer_prompt("增加周末窗口，缩短等候时间")
    await d.answer_prompt("已增加窗口，感谢您的监督")
    await d.page.get_by_text("增加周末窗口，缩短等候时间").wait_for()
    await d.shot("feedback-02-rectified")
    fix = await Rectification.filter(department_id=dept.id).first()
    assert fix is not None and fix.measures == "增加周末窗口，缩短等候时间"

    await d.open("/tickets", "tickets")
    await d.page.get_by_text("窗口排队太久").click()
    await d.page.get_by_role("button", name="答复").click()
    await d.answer_prompt("已安排专人引导，欢迎再次来办")
    await d.page.locator(".el-drawer").get_by_text("已安排专人引导，欢迎再次来办").wait_for()
    await d.shot("tickets-01-answered")
