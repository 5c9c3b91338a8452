"""Halls and their slots, as a department's staff set them up, and the day's bookings.

Slots are cut from the hall's opening hours on working days of the calendar (``workdays``):
``slot_minutes`` long, with the hall's window count as capacity unless told otherwise.
Generating the same days again adds only the slots not there yet.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from app import clock
from app.cases.workdays import get_calendar
from app.errors import Conflict, NotFound, ValidationFailed
from app.staff import StaffPrincipal
from models.appointments import Appointment, AppointmentSlot, Hall
from models.catalogue import ServiceItem

MAX_DAYS = 62


class HallNotFound(NotFound):
    code = "HALL_NOT_FOUND"
    message = "大厅不存在"


async def create(staff: StaffPrincipal, *, code: str, name: str, address: str, windows: int,
                 opening: list[dict[str, str]], slot_minutes: int) -> Hall:
    for span in opening:
        if time.fromisoformat(span["start"]) >= time.fromisoformat(span["end"]):
            raise ValidationFailed("开放时间段的开始须早于结束", fields={"opening": "时间段有误"})
    try:
        return await Hall.create(code=code, name=name, department_id=staff.department_id,
                                 address=address, windows=windows, opening=opening,
                                 slot_minutes=slot_minutes)
    except IntegrityError as exc:
        raise Conflict("大厅编码已存在", code="HALL_CODE_TAKEN") from exc


async def for_staff(hall_id: int, staff: StaffPrincipal) -> Hall:
    hall = await Hall.get_or_none(id=hall_id)
    if hall is None or not staff.sees_department(hall.department_id):
        raise HallNotFound()
    return hall


def _cuts(hall: Hall, day: date) -> list[tuple[datetime, datetime]]:
    out = []
    step = timedelta(minutes=hall.slot_minutes)
    for span in hall.opening or []:
        # in UTC: an hour shift of Beijing time never happens (no summer time)
        start = clock.local_at(day, time.fromisoformat(span["start"]))
        end = clock.local_at(day, time.fromisoformat(span["end"]))
        while start + step <= end:
            out.append((start, start + step))
            start += step
    return out


async def generate_slots(hall: Hall, *, first: date, last: date, item_code: str | None,
                         capacity: int | None) -> int:
    """Cut the slots of working days ``first``…``last``; answer how many were added."""
    if last < first or (last - first).days >= MAX_DAYS:
        raise ValidationFailed(f"日期范围须在{MAX_DAYS}天以内", fields={"date_to": "范围有误"})
    item_id = 0
    if item_code:
        item = await ServiceItem.get_or_none(code=item_code, department_id=hall.department_id)
        if item is None:
            raise NotFound("本部门没有该事项", code="ITEM_NOT_FOUND")
        item_id = item.id
    calendar = get_calendar()
    rows = []
    day = first
    while day <= last:
        if calendar.is_workday(day):
            rows += [AppointmentSlot(hall_id=hall.id, department_id=hall.department_id,
                                     item_id=item_id, starts_at=s, ends_at=e,
                                     capacity=capacity or hall.windows)
                     for s, e in _cuts(hall, day)]
        day += timedelta(days=1)
    before = await AppointmentSlot.filter(hall_id=hall.id, item_id=item_id).count()
    await AppointmentSlot.bulk_create(rows, ignore_conflicts=True)
    return await AppointmentSlot.filter(hall_id=hall.id, item_id=item_id).count() - before


def hall_view(h: Hall) -> dict[str, Any]:
    return {"id": h.id, "code": h.code, "name": h.name, "department_id": h.department_id,
            "address": h.address, "windows": h.windows, "opening": h.opening,
            "slot_minutes": h.slot_minutes}


async def of_department(staff: StaffPrincipal) -> list[Hall]:
    qs = Hall.all()
    if staff.department_scope is not None:
        qs = qs.filter(department_id=staff.department_scope)
    return await qs.order_by("id")


async def day_bookings(hall: Hall, day: date) -> list[Appointment]:
    start = clock.local_at(day, time(0, 0))
    return await Appointment.filter(hall_id=hall.id, starts_at__gte=start,
                                    starts_at__lt=start + timedelta(days=1)).order_by(
        "starts_at", "id")
