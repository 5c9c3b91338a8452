"""Hall appointments (预约) for items that need a visit: open slots, booking, cancelling,
rescheduling, check-in by staff at the hall, and the no-show restriction.

A place is taken by one conditional update of the slot (``booked < capacity``) in the same
transaction that writes the booking, so concurrent bookings of the last place leave exactly
one winner on PostgreSQL and on SQLite; the loser answers 409 ``SLOT_FULL``.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app import clock, sql
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.settings import get_settings
from app.staff import StaffPrincipal
from models.appointments import Appointment, AppointmentSlot, AppointmentStatus, Hall
from models.cases import Case
from models.catalogue import ServiceItem, ServiceItemVersion

A = AppointmentStatus
CHECKIN_EARLY = timedelta(hours=1)  # check-in opens an hour before the slot
_TAKE = "UPDATE reform_appointment_slot SET booked = booked + 1 WHERE id = $1 AND booked < capacity"
_GIVE_BACK = "UPDATE reform_appointment_slot SET booked = booked - 1 WHERE id = $1 AND booked > 0"


class SlotNotFound(NotFound):
    code = "SLOT_NOT_FOUND"
    message = "预约时段不存在"


class AppointmentNotFound(NotFound):
    code = "APPOINTMENT_NOT_FOUND"
    message = "预约不存在"


async def visit_item(item_code: str) -> tuple[ServiceItem, ServiceItemVersion]:
    """A published item that needs a visit to a hall (``visits`` > 0 or not 不见面)."""
    item = await ServiceItem.get_or_none(code=item_code, published=True)
    if item is None or item.published_version_id is None:
        raise NotFound("事项不存在或未发布", code="ITEM_NOT_FOUND")
    version = await ServiceItemVersion.get(id=item.published_version_id)
    if not version.visits and version.online_depth == "不见面":
        raise Conflict("该事项全程网办，无需预约到厅", code="ITEM_NEEDS_NO_VISIT")
    return item, version


async def open_slots(item_code: str, *, on: date | None, days: int) -> list[dict[str, Any]]:
    item, _ = await visit_item(item_code)
    now = clock.now()
    qs = AppointmentSlot.filter(department_id=item.department_id, item_id__in=[0, item.id],
                                starts_at__gt=now)
    if on is not None:
        start = clock.local_at(on, time(0, 0))
        qs = qs.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=days))
    else:
        qs = qs.filter(starts_at__lt=now + timedelta(days=days))
    slots = await qs.order_by("starts_at", "id").limit(500)
    halls = {h.id: h for h in await Hall.filter(id__in={s.hall_id for s in slots})}
    return [slot_view(s, halls[s.hall_id]) for s in slots if s.booked < s.capacity]


def slot_view(s: AppointmentSlot, hall: Hall) -> dict[str, Any]:
    return {"id": s.id, "hall": {"id": hall.id, "code": hall.code, "name": hall.name,
                                 "address": hall.address},
            "item_id": s.item_id or None, "starts_at": clock.iso(s.starts_at),
            "ends_at": clock.iso(s.ends_at), "capacity": s.capacity,
            "remaining": max(s.capacity - s.booked, 0)}


async def _restricted(person_id: int, now: datetime) -> None:
    """403 ``BOOKING_RESTRICTED`` after the configured number of no-shows in the window."""
    s = get_settings()
    since = now - timedelta(days=s.appointment_no_show_window_days)
    times = await Appointment.filter(person_id=person_id, status=A.no_show,
                                     no_show_at__gte=since).order_by("-no_show_at").values_list(
        "no_show_at", flat=True)
    if len(times) >= s.appointment_no_show_limit:
        until = times[0] + timedelta(days=s.appointment_restrict_days)  # type: ignore[operator]
        if until > now:
            local = clock.local(until)
            raise Forbidden(f"您近期多次预约未到，{local.month}月{local.day}日前暂不能预约",
                            code="BOOKING_RESTRICTED",
                            fields={"until": clock.iso(until), "no_shows": len(times)})


async def _slot_for(slot_id: int, item: ServiceItem, now: datetime,
                    conn: BaseDBAsyncClient | None = None) -> AppointmentSlot:
    slot = await AppointmentSlot.get_or_none(id=slot_id, using_db=conn)
    if slot is None:
        raise SlotNotFound()
    if slot.department_id != item.department_id or slot.item_id not in (0, item.id):
        raise ValidationFailed("该时段不办理此事项", code="SLOT_NOT_FOR_ITEM",
                               fields={"slot_id": "请选择该事项的预约时段"})
    if slot.starts_at <= now:
        raise Conflict("该时段已过，请选择其他时段", code="SLOT_PAST")
    return slot


async def _take(slot: AppointmentSlot, conn: BaseDBAsyncClient) -> None:
    if not await sql.execute(conn, _TAKE, slot.id):
        raise Conflict("该时段已约满，请选择其他时段", code="SLOT_FULL")


async def book(person_id: int, *, item_code: str, slot_id: int,
               case_id: int | None = None) -> Appointment:
    item, version = await visit_item(item_code)
    now = clock.now()
    await _restricted(person_id, now)
    if case_id is not None and not await Case.filter(id=case_id, person_id=person_id,
                                                     item_id=item.id).exists():
        raise NotFound("办件不存在", code="CASE_NOT_FOUND")
    slot = await _slot_for(slot_id, item, now)
    try:
        async with in_transaction() as conn:
            await _take(slot, conn)
            return await Appointment.create(
                code=secrets.token_urlsafe(12), slot_id=slot.id, hall_id=slot.hall_id,
                department_id=slot.department_id, person_id=person_id, item_id=item.id,
                item_name=version.name, case_id=case_id, starts_at=slot.starts_at,
                ends_at=slot.ends_at, active_key=f"{slot.id}:{person_id}", booked_at=now,
                using_db=conn)
    except IntegrityError as exc:  # the place taken above is given back with the rollback
        raise Conflict("您已预约该时段", code="ALREADY_BOOKED") from exc


async def mine(person_id: int, appointment_id: int,
               conn: BaseDBAsyncClient | None = None) -> Appointment:
    """One of the person's bookings (another person's answers 404 like a missing one)."""
    qs = Appointment.filter(id=appointment_id, person_id=person_id).using_db(conn)
    found = await (qs.select_for_update() if conn is not None else qs).first()
    if found is None:
        raise AppointmentNotFound()
    return found


def _still_changeable(appt: Appointment, now: datetime) -> None:
    if appt.status != A.booked:
        raise Conflict("该预约已取消、已签到或已失效", code="APPOINTMENT_NOT_ACTIVE",
                       fields={"status": A(appt.status).value})
    if appt.starts_at <= now:
        raise Conflict("预约时段已开始，不能取消或改约", code="SLOT_PAST")


async def cancel(person_id: int, appointment_id: int) -> Appointment:
    async with in_transaction() as conn:
        appt = await mine(person_id, appointment_id, conn)
        now = clock.now()
        _still_changeable(appt, now)
        await _release(appt, conn, now)
    return appt


async def _release(appt: Appointment, conn: BaseDBAsyncClient, now: datetime) -> None:
    appt.status, appt.active_key, appt.cancelled_at = A.cancelled, None, now
    await appt.save(update_fields=["status", "active_key", "cancelled_at"], using_db=conn)
    await sql.execute(conn, _GIVE_BACK, appt.slot_id)


async def reschedule(person_id: int, appointment_id: int, slot_id: int) -> Appointment:
    """改约: the new place is taken and the old one given back in one transaction."""
    old = await mine(person_id, appointment_id)
    item = await ServiceItem.get(id=old.item_id)
    now = clock.now()
    _still_changeable(old, now)
    slot = await _slot_for(slot_id, item, now)
    if slot.id == old.slot_id:
        raise Conflict("新时段与原预约相同", code="ALREADY_BOOKED")
    try:
        async with in_transaction() as conn:
            locked = await mine(person_id, appointment_id, conn)
            _still_changeable(locked, now)
            await _take(slot, conn)
            await _release(locked, conn, now)
            return await Appointment.create(
                code=secrets.token_urlsafe(12), slot_id=slot.id, hall_id=slot.hall_id,
                department_id=slot.department_id, person_id=person_id, item_id=old.item_id,
                item_name=old.item_name, case_id=old.case_id, starts_at=slot.starts_at,
                ends_at=slot.ends_at, active_key=f"{slot.id}:{person_id}", booked_at=now,
                using_db=conn)
    except IntegrityError as exc:
        raise Conflict("您已预约该时段", code="ALREADY_BOOKED") from exc


async def check_in(code: str, staff: StaffPrincipal) -> Appointment:
    """Staff scan the booking's QR code at the hall. A booking of a department the staff
    member does not see answers 404, as a code that does not exist."""
    async with in_transaction() as conn:
        appt = await Appointment.filter(code=code).using_db(conn).select_for_update().first()
        if appt is None or not staff.sees_department(appt.department_id):
            raise AppointmentNotFound()
        if appt.status != A.booked:
            raise Conflict("该预约已取消、已签到或已失效", code="APPOINTMENT_NOT_ACTIVE",
                           fields={"status": A(appt.status).value})
        now = clock.now()
        if not appt.starts_at - CHECKIN_EARLY <= now <= appt.ends_at:
            raise Conflict("不在预约时段内，请按预约时间到厅签到", code="CHECKIN_WINDOW",
                           fields={"starts_at": clock.iso(appt.starts_at)})
        appt.status, appt.active_key = A.checked_in, None
        appt.checked_in_at, appt.checked_in_by = now, staff.id
        await appt.save(update_fields=["status", "active_key", "checked_in_at",
                                       "checked_in_by"], using_db=conn)
    return appt


def view(a: Appointment, hall: Hall | None = None) -> dict[str, Any]:
    return {"id": a.id, "code": a.code, "status": A(a.status).value, "item_id": a.item_id,
            "item_name": a.item_name, "case_id": a.case_id, "slot_id": a.slot_id,
            "hall": {"id": hall.id, "name": hall.name, "address": hall.address} if hall else None,
            "starts_at": clock.iso(a.starts_at), "ends_at": clock.iso(a.ends_at),
            "booked_at": clock.iso(a.booked_at), "checked_in_at": clock.iso(a.checked_in_at)}


async def views(rows: list[Appointment]) -> list[dict[str, Any]]:
    halls = {h.id: h for h in await Hall.filter(id__in={a.hall_id for a in rows})}
    return [view(a, halls.get(a.hall_id)) for a in rows]


async def list_mine(person_id: int) -> list[dict[str, Any]]:
    rows = await Appointment.filter(person_id=person_id).order_by("-starts_at").limit(100)
    return await views(rows)
