"""Hall appointments: slots cut from a hall's opening hours on working days, booking that never
gives the last place twice (concurrent requests), cancel and 改约, check-in by staff of the
hall's department only, the reminder the day before and no-shows that restrict booking."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from app import clock
from app.cases.workdays import get_calendar
from app.reforms.appointment_jobs import scan_once
from models.appointments import Appointment, AppointmentSlot, AppointmentStatus
from models.core import OutboxEvent
from tests.cases.conftest import make_item

CONCURRENT = 8


@pytest.fixture(scope="module")
async def desk(staff: Any) -> Any:
    return await staff(roles=["operator", "clerk"], department=f"H{uuid.uuid4().hex[:6]}")


def _workday_after(days: int) -> date:
    return get_calendar().add_workdays(clock.local(clock.now()).date(), days)


async def _hall(api: Any, desk: Any) -> int:
    r = await api.post("/api/v1/staff/halls", headers=desk.headers, json={
        "code": f"HALL-{uuid.uuid4().hex[:8]}", "name": "市民中心一楼综合窗口",
        "address": "示范市中山路1号", "windows": 2, "slot_minutes": 60,
        "opening": [{"start": "09:00", "end": "12:00"}, {"start": "13:30", "end": "17:30"}]})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def _visit_item(desk: Any) -> dict[str, Any]:
    return await make_item(desk.department_id, online_depth="见一次面", visits=1)


async def test_slots_booking_cancel_reschedule_and_bad_input(
    api: Any, citizen: Any, desk: Any
) -> None:
    item = await _visit_item(desk)
    hall = await _hall(api, desk)
    day = _workday_after(2)
    r = await api.post(f"/api/v1/staff/halls/{hall}/slots", headers=desk.headers,
                       json={"date_from": day.isoformat(), "date_to": day.isoformat()})
    assert r.status_code == 201 and r.json()["added"] == 7  # 3 in the morning, 4 after lunch
    again = await api.post(f"/api/v1/staff/halls/{hall}/slots", headers=desk.headers,
                           json={"date_from": day.isoformat(), "date_to": day.isoformat()})
    assert again.json()["added"] == 0
    slots = (await api.get("/api/v1/appointments/slots", params={
        "item_code": item["code"], "date": day.isoformat(), "days": 1})).json()["items"]
    # this test's hall only: other tests of the department may open halls on the same day
    slots = [s for s in slots if s["hall"]["id"] == hall]
    assert len(slots) == 7 and slots[0]["remaining"] == 2
    first, second = slots[0]["id"], slots[1]["id"]

    online = await make_item(desk.department_id)
    me = await citizen()
    r = await api.post("/api/v1/appointments", headers=me.headers,
                       json={"item_code": online["code"], "slot_id": first})
    assert r.status_code == 409 and r.json()["error"]["code"] == "ITEM_NEEDS_NO_VISIT"
    past = await AppointmentSlot.create(
        hall_id=hall, department_id=desk.department_id, capacity=3,
        starts_at=clock.now() - timedelta(hours=2), ends_at=clock.now() - timedelta(hours=1))
    r = await api.post("/api/v1/appointments", headers=me.headers,
                       json={"item_code": item["code"], "slot_id": past.id})
    assert r.status_code == 409 and r.json()["error"]["code"] == "SLOT_PAST"

    r = await api.post("/api/v1/appointments", headers=me.headers,
                       json={"item_code": item["code"], "slot_id": first})
    assert r.status_code == 201, r.text
    booking = r.json()
    dup = await api.post("/api/v1/appointments", headers=me.headers,
                         json={"item_code": item["code"], "slot_id": first})
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "ALREADY_BOOKED"
    assert (await AppointmentSlot.get(id=first)).booked == 1  # the refused one took nothing

    other = await citizen()
    assert (await api.post(f"/api/v1/appointments/{booking['id']}/cancel",
                           headers=other.headers)).status_code == 404
    r = await api.post(f"/api/v1/appointments/{booking['id']}/reschedule", headers=me.headers,
                       json={"slot_id": second})
    assert r.status_code == 201, r.text
    moved = r.json()
    assert (await AppointmentSlot.get(id=first)).booked == 0
    assert (await AppointmentSlot.get(id=second)).booked == 1
    r = await api.post(f"/api/v1/appointments/{moved['id']}/cancel", headers=me.headers)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert (await AppointmentSlot.get(id=second)).booked == 0
    r = await api.post(f"/api/v1/appointments/{moved['id']}/cancel", headers=me.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "APPOINTMENT_NOT_ACTIVE"

    r = await api.get(f"/api/v1/staff/halls/{hall}/bookings", headers=desk.headers,
                      params={"date": day.isoformat()})
    assert r.status_code == 200 and {b["status"] for b in r.json()["items"]} == {"cancelled"}


async def test_concurrent_bookings_of_the_last_place_leave_one_winner(
    api: Any, citizen: Any, desk: Any
) -> None:
    item = await _visit_item(desk)
    hall = await _hall(api, desk)
    day = _workday_after(3)
    await api.post(f"/api/v1/staff/halls/{hall}/slots", headers=desk.headers, json={
        "date_from": day.isoformat(), "date_to": day.isoformat(), "item_code": item["code"],
        "capacity": 2})
    [slot, *_] = (await api.get("/api/v1/appointments/slots", params={
        "item_code": item["code"], "date": day.isoformat(), "days": 1})).json()["items"]
    early = await citizen()
    assert (await api.post("/api/v1/appointments", headers=early.headers, json={
        "item_code": item["code"], "slot_id": slot["id"]})).status_code == 201
    people = [await citizen() for _ in range(CONCURRENT)]
    answers = await asyncio.gather(*[
        api.post("/api/v1/appointments", headers=p.headers,
                 json={"item_code": item["code"], "slot_id": slot["id"]}) for p in people])
    codes = sorted(r.status_code for r in answers)
    assert codes == [201] + [409] * (CONCURRENT - 1), [r.text for r in answers]
    assert {r.json()["error"]["code"] for r in answers if r.status_code == 409} == {"SLOT_FULL"}
    assert (await AppointmentSlot.get(id=slot["id"])).booked == 2
    assert await Appointment.filter(slot_id=slot["id"], status="booked").count() == 2


async def test_check_in_reminder_and_no_show_restriction(
    api: Any, citizen: Any, desk: Any, staff: Any
) -> None:
    item = await _visit_item(desk)
    hall = await _hall(api, desk)
    soon = await AppointmentSlot.create(
        hall_id=hall, department_id=desk.department_id, capacity=2,
        starts_at=clock.now() + timedelta(minutes=30), ends_at=clock.now() + timedelta(hours=1))
    day = _workday_after(2)
    later = await AppointmentSlot.create(
        hall_id=hall, department_id=desk.department_id, capacity=2,
        starts_at=datetime.combine(day, time(9, 0), tzinfo=clock.SHANGHAI),
        ends_at=datetime.combine(day, time(10, 0), tzinfo=clock.SHANGHAI))
    me = await citizen()
    now_booking = (await api.post("/api/v1/appointments", headers=me.headers, json={
        "item_code": item["code"], "slot_id": soon.id})).json()
    later_booking = (await api.post("/api/v1/appointments", headers=me.headers, json={
        "item_code": item["code"], "slot_id": later.id})).json()

    outsider = await staff(roles=["clerk"], department=f"O{uuid.uuid4().hex[:6]}")
    r = await api.post("/api/v1/staff/appointments/check-in", headers=outsider.headers,
                       json={"code": now_booking["code"]})
    assert r.status_code == 404  # another department's booking
    r = await api.post("/api/v1/staff/appointments/check-in", headers=desk.headers,
                       json={"code": later_booking["code"]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "CHECKIN_WINDOW"
    r = await api.post("/api/v1/staff/appointments/check-in", headers=desk.headers,
                       json={"code": now_booking["code"]})
    assert r.status_code == 200 and r.json()["status"] == "checked_in"
    r = await api.post("/api/v1/staff/appointments/check-in", headers=desk.headers,
                       json={"code": now_booking["code"]})
    assert r.status_code == 409

    eve = later.starts_at - timedelta(hours=20)
    await scan_once(now=eve)
    await scan_once(now=eve)
    [reminder] = await OutboxEvent.filter(event_type="appointment.reminder",
                                          aggregate_id=str(later_booking["id"]))
    assert reminder.person_id == me.person_id and "09:00" in reminder.payload["time_text"]

    await scan_once(now=later.ends_at + timedelta(minutes=1))
    assert (await Appointment.get(id=later_booking["id"])).status == AppointmentStatus.no_show
    assert (await Appointment.get(id=now_booking["id"])).status == AppointmentStatus.checked_in
    for _ in range(2):  # two more no-shows: three within the window
        await Appointment.create(
            code=uuid.uuid4().hex[:16], slot_id=later.id, hall_id=hall,
            department_id=desk.department_id, person_id=me.person_id, item_id=item["id"],
            item_name=item["name"], starts_at=later.starts_at, ends_at=later.ends_at,
            status=AppointmentStatus.no_show, booked_at=clock.now(), no_show_at=clock.now())
    r = await api.post("/api/v1/appointments", headers=me.headers, json={
        "item_code": item["code"], "slot_id": later.id})
    assert r.status_code == 403 and r.json()["error"]["code"] == "BOOKING_RESTRICTED"
