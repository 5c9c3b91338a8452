"""预约 in a phone browser: the guide of an item that needs a visit offers 预约到厅, a slot is
booked from the day's list, and 我的预约 shows it with its check-in code. Screenshots under
var/screenshots/ (60-…)."""

from __future__ import annotations

import uuid
from typing import Any

from app import clock
from app.cases.workdays import get_calendar
from tests.cases.conftest import make_item


async def test_book_a_slot_then_check_in_at_the_hall(
    phone: Any, api: Any, server: Any, staff: Any, citizen: Any
) -> None:
    desk = await staff(roles=["operator", "clerk"], department=f"P{uuid.uuid4().hex[:6]}")
    item = await make_item(desk.department_id, online_depth="见一次面", visits=1,
                           required_realname_level=0)
    await server.app.ctx.catalogue.bump()
    r = await api.post("/api/v1/staff/halls", headers=desk.headers, json={
        "code": f"HALL-{uuid.uuid4().hex[:8]}", "name": "市民中心二楼综合窗口",
        "address": "示范市中山路1号", "windows": 1, "slot_minutes": 60,
        "opening": [{"start": "09:00", "end": "11:00"}]})
    assert r.status_code == 201, r.text
    day = get_calendar().add_workdays(clock.local(clock.now()).date(), 1)
    r = await api.post(f"/api/v1/staff/halls/{r.json()['id']}/slots", headers=desk.headers,
                       json={"date_from": day.isoformat(), "date_to": day.isoformat()})
    assert r.json()["added"] == 2

    me = await citizen()
    p = await phone(tokens={"access_token": me.access, "refresh_token": me.refresh,
                            "person_id": me.person_id})
    await p.open(f"/guide/{item['code']}")
    await p.page.get_by_text("预约到厅").click()
    await p.rendered("book")
    await p.page.get_by_text("余 1 个").first.wait_for()
    await p.shot("60-book-slots")
    await p.page.locator("[data-slot]").first.click()
    await p.page.locator(".van-dialog").get_by_role("button", name="确认").click()
    await p.rendered("appointments")
    await p.page.get_by_text("已预约").wait_for()
    await p.shot("61-my-appointments")

    [booking] = (await api.get("/api/v1/appointments", headers=me.headers)).json()["items"]
    await p.page.get_by_text(booking["code"]).wait_for()
    assert booking["status"] == "booked"
