"""Staff appointment endpoints: the department's halls and their slots, the day's bookings of a
hall, and check-in by the booking's QR code. Another department's hall or booking answers 404."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse

from app.context import AppRequest
from app.handler_kit import body, doc, fails, ok, query, returns
from app.reforms import appointments, halls
from app.reforms.appointment_schemas import (
    AppointmentList,
    AppointmentOut,
    CheckInIn,
    DayQuery,
    HallIn,
    HallList,
    HallOut,
    SlotsIn,
    SlotsOut,
)
from app.security.auth import staff_required
from app.staff import Role

bp = Blueprint("staff_appointments", url_prefix="/api/v1/staff")
TAG = "staff-appointments"
HALL_ADMIN = (Role.operator.value,)  # admins pass every role check
HALL_DESK = (Role.clerk.value, Role.operator.value)


@bp.get("/halls")
@doc("My department's halls", TAG)
@staff_required(*HALL_DESK)
@returns(HallList)
async def list_halls(request: AppRequest) -> HTTPResponse:
    return ok({"items": [halls.hall_view(h) for h in await halls.of_department(
        request.ctx.staff)]})


@bp.post("/halls")
@doc("Add a hall of my department (windows, opening hours on working days, slot length)", TAG)
@staff_required(*HALL_ADMIN)
@body(HallIn)
@returns(HallOut, status=201)
@fails((409, "HALL_CODE_TAKEN"))
async def create_hall(request: AppRequest) -> HTTPResponse:
    b: HallIn = request.ctx.body
    hall = await halls.create(request.ctx.staff, code=b.code, name=b.name, address=b.address,
                              windows=b.windows, opening=[o.model_dump() for o in b.opening],
                              slot_minutes=b.slot_minutes)
    return ok(halls.hall_view(hall), status=201)


@bp.post("/halls/<hall_id:int>/slots")
@doc("Open slots for the working days of a date range (for one item, or any of the "
     "department's)", TAG)
@staff_required(*HALL_ADMIN)
@body(SlotsIn)
@returns(SlotsOut, status=201)
@fails((404, "HALL_NOT_FOUND / ITEM_NOT_FOUND"))
async def open_slots(request: AppRequest, hall_id: int) -> HTTPResponse:
    b: SlotsIn = request.ctx.body
    hall = await halls.for_staff(hall_id, request.ctx.staff)
    added = await halls.generate_slots(hall, first=b.date_from, last=b.date_to,
                                       item_code=b.item_code, capacity=b.capacity)
    return ok({"added": added}, status=201)


@bp.get("/halls/<hall_id:int>/bookings")
@doc("The bookings of one day at a hall, in slot order", TAG)
@staff_required(*HALL_DESK)
@query(DayQuery)
@returns(AppointmentList)
@fails((404, "HALL_NOT_FOUND"))
async def day_bookings(request: AppRequest, hall_id: int) -> HTTPResponse:
    hall = await halls.for_staff(hall_id, request.ctx.staff)
    rows = await halls.day_bookings(hall, request.ctx.query.date)
    return ok({"items": await appointments.views(rows)})


@bp.post("/appointments/check-in")
@doc("Check a visitor in by the code their booking's QR code shows", TAG)
@staff_required(*HALL_DESK)
@body(CheckInIn)
@returns(AppointmentOut)
@fails((404, "APPOINTMENT_NOT_FOUND"), (409, "APPOINTMENT_NOT_ACTIVE / CHECKIN_WINDOW"))
async def check_in(request: AppRequest) -> HTTPResponse:
    appt = await appointments.check_in(request.ctx.body.code, request.ctx.staff)
    [out] = await appointments.views([appt])
    return ok(out)
