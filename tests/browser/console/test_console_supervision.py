"""A supervisor's figures in the console equal what the API computes (cards, the table and the
CSV export); a staff member of another department sees none of a department's cases, and only
their own department's figures."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from typing import Any

from tests.cases.conftest import filed_case, make_item

CARDS = ("received", "accepted", "completed", "overdue_now", "overdue_ever")


async def _department_with_cases(api: Any, staff: Any, citizen: Any) -> dict[str, Any]:
    dept = f"S{uuid.uuid4().hex[:6]}"
    clerk = await staff(roles=["clerk"], department=dept)
    item = await make_item(clerk.department_id, name="食品经营许可")
    cases = []
    for n in range(3):
        me = await citizen()
        case = await filed_case(api, me.headers, item)
        cases.append(case)
        if n == 0:
            await api.post(f"/api/v1/staff/cases/{case['id']}/accept", headers=clerk.headers)
        if n == 1:
            await api.post(f"/api/v1/staff/cases/{case['id']}/refuse", headers=clerk.headers,
                           json={"reason": "不属于本部门职权范围"})
    return {"clerk": clerk, "cases": cases, "code": dept}


async def test_a_supervisors_figures_equal_the_api(
    desk: Any, api: Any, staff: Any, citizen: Any
) -> None:
    made = await _department_with_cases(api, staff, citizen)
    supervisor = await staff(roles=["supervisor"], department=f"V{uuid.uuid4().hex[:6]}")
    d = await desk()
    await d.login(supervisor.username)
    await d.open("/supervision", "supervision")
    await d.page.locator('[data-test="figures-table"]').wait_for()
    await d.shot("supervision-01-dashboard")

    r = await api.get("/api/v1/staff/supervision/figures", headers=supervisor.headers)
    api_figures = r.json()
    for key in CARDS:
        shown = await d.page.locator(f'[data-figure="{key}"]').inner_text()
        assert shown == str(api_figures["totals"][key]), key
    mine = next(row for row in api_figures["rows"]
                if row["department_id"] == made["clerk"].department_id)
    assert (mine["received"], mine["accepted"], mine["refused"]) == (3, 1, 1)
    row = d.page.locator('[data-test="figures-table"] .el-table__row',
                         has_text=f"测试部门{made['code']}")
    if not await row.count():  # the department is on another page of the table
        await d.page.locator(".el-select", has_text="全部部门").click()
        await d.page.locator(".el-select-dropdown__item",
                             has_text=f"测试部门{made['code']}").click()
        await d.rendered("supervision")
    assert await row.locator('[data-col="received"]').inner_text() == "3"
    assert await row.locator('[data-col="refused"]').inner_text() == "1"

    async with d.page.expect_download() as waiting:
        await d.click_action("export-csv")
    download = await waiting.value
    content = await asyncio.to_thread((await download.path()).read_bytes)
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert table[-1][0] == "合计" and int(table[-1][1]) == api_figures["totals"]["received"]


async def test_another_department_sees_none_of_it(
    desk: Any, api: Any, staff: Any, citizen: Any
) -> None:
    made = await _department_with_cases(api, staff, citizen)
    outsider = await staff(roles=["clerk", "reviewer"], department=f"O{uuid.uuid4().hex[:6]}")
    d = await desk()
    await d.login(outsider.username)
    await d.rendered("queue")
    table = d.page.locator('[data-test="queue-table"]')
    for case in made["cases"]:
        assert not await table.get_by_text(case["number"]).count()
    await d.shot("other-01-queue")
    await d.open(f"/cases/{made['cases'][0]['id']}", "case")
    await d.page.get_by_text("办件不存在或不属于本部门").wait_for()
    assert not await d.page.locator('[data-test="actions"]').count()
    await d.shot("other-02-case-refused")
    await d.open("/supervision", "supervision")
    await d.page.locator('[data-test="figures-table"]').wait_for()
    assert not await d.page.get_by_text(f"测试部门{made['code']}").count()
    await d.shot("other-03-own-figures")
