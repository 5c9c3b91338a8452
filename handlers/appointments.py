"""Citizen appointment endpoints: open slots of an item that needs a visit, book, list, cancel,
reschedule. Another person's booking answers 404."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse

from app.context import AppRequest
from app.handler_kit import body, doc, fails, ok, query, returns
from app.reforms import appointments
from app.reforms.appointment_schemas import (
    AppointmentList,
    AppointmentOut,
    BookIn,
    RescheduleIn,
    SlotList,
    SlotQuery,
)
from app.security.auth import citizen_required

bp = Blueprint("appointments", url_prefix="/api/v1/appointments")
TAG = "appointments"


@bp.get("/slots")
@doc("预约: the open slots of an item that needs a visit to a hall", TAG)
@query(SlotQuery)
@returns(SlotList)
@fails((404, "ITEM_NOT_FOUND"), (409, "ITEM_NEEDS_NO_VISIT"))
async def slots(request: AppRequest) -> HTTPResponse:
    q: SlotQuery = request.ctx.query
    return ok({"items": await appointments.open_slots(q.item_code, on=q.date, days=q.days)})


@bp.post("")
@doc("Book a place in a slot (never more bookings than places, however many ask at once)", TAG)
@citizen_required
@body(BookIn)
@returns(AppointmentOut, status=201)
@fails((404, "SLOT_NOT_FOUND / ITEM_NOT_FOUND / CASE_NOT_FOUND"),
       (409, "SLOT_FULL / SLOT_PAST / ALREADY_BOOKED / ITEM_NEEDS_NO_VISIT"),
       (422, "SLOT_NOT_FOR_ITEM"), (403, "BOOKING_RESTRICTED"))
async def book(request: AppRequest) -> HTTPResponse:
    b: BookIn = request.ctx.body
    appt = await appointments.book(request.ctx.person_id, item_code=b.item_code,
                                   slot_id=b.slot_id, case_id=b.case_id)
    [out] = await appointments.views([appt])
    return ok(out, status=201)


@bp.get("")
@doc("My bookings, latest slot first", TAG)
@citizen_required
@returns(AppointmentList)
async def list_mine(request: AppRequest) -> HTTPResponse:
    return ok({"items": await appointments.list_mine(request.ctx.person_id)})


@bp.get("/<appointment_id:int>")
@doc("One of my bookings (its code is what the QR code shows at the hall)", TAG)
@citizen_required
@returns(AppointmentOut)
@fails((404, "APPOINTMENT_NOT_FOUND"))
async def read(request: AppRequest, appointment_id: int) -> HTTPResponse:
    [out] = await appointments.views([await appointments.mine(request.ctx.person_id,
                                                              appointment_id)])
    return ok(out)


@bp.post("/<appointment_id:int>/cancel")
@doc("Cancel a booking before its slot starts (the place becomes free)", TAG)
@citizen_required
@returns(AppointmentOut)
@fails((404, "APPOINTMENT_NOT_FOUND"), (409, "APPOINTMENT_NOT_ACTIVE / SLOT_PAST"))
async def cancel(request: AppRequest, appointment_id: int) -> HTTPResponse:
    appt = await appointments.cancel(request.ctx.person_id, appointment_id)
    [out] = await appointments.views([appt])
    return ok(out)


@bp.post("/<appointment_id:int>/reschedule")
@doc("改约: move a booking to another slot of the same item in one step", TAG)
@citizen_required
@body(RescheduleIn)
@returns(AppointmentOut, status=201)
@fails((404, "APPOINTMENT_NOT_FOUND / SLOT_NOT_FOUND"),
       (409, "SLOT_FULL / SLOT_PAST / APPOINTMENT_NOT_ACTIVE / ALREADY_BOOKED"))
async def reschedule(request: AppRequest, appointment_id: int) -> HTTPResponse:
    appt = await appointments.reschedule(request.ctx.person_id, appointment_id,
                                         request.ctx.body.slot_id)
    [out] = await appointments.views([appt])
    return ok(out, status=201)
