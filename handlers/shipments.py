"""Shipments API. Citizen: choose 快递送达, my shipments with the timeline, answer a failed
delivery. Staff: create a shipment (book or enter a waybill), the list with exceptions first,
re-delivery and hall pick-up."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from sanic import Blueprint, HTTPResponse

from app.context import AppRequest
from app.handler_kit import INT4_MAX, body, doc, ok, query, returns, row_id
from app.security.auth import citizen_required, staff_required
from app.shipments import actions, views
from app.shipments.booking import Receiver, create_shipment
from app.staff import StaffPrincipal
from models.express import Direction, ShipmentState

citizen = Blueprint("shipments", url_prefix="/api/v1/shipments")
staff = Blueprint("staff_shipments", url_prefix="/api/v1/staff/shipments")
bp = Blueprint.group(citizen, staff)


class ReceiverIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    phone: str = Field(pattern=r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")
    address: str = Field(min_length=5, max_length=300)

    def to_receiver(self) -> Receiver:
        return Receiver(self.name.strip(), self.phone, self.address.strip())


class DeliveryMethodIn(BaseModel):
    method: Literal["express", "window"] = "express"
    receiver: ReceiverIn | None = None
    pickup_materials: bool = False  # 上门揽收 of paper materials


class ChoiceIn(BaseModel):
    choice: Literal["redeliver", "hall_pickup"]
    receiver: ReceiverIn | None = None


def _case_id(value: int) -> int:
    return row_id(value, "办件不存在", "CASE_NOT_FOUND")


def _shipment_id(value: int) -> int:
    return row_id(value, "邮件不存在", "SHIPMENT_NOT_FOUND")


class ShipmentIn(BaseModel):
    case_id: int = Field(ge=1, le=INT4_MAX)
    direction: Direction = Direction.result_delivery
    mode: Literal["book", "manual"] = "book"
    carrier: str | None = Field(default=None, pattern=r"^[a-z0-9]{2,32}$")
    waybill_no: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{6,40}$")
    receiver: ReceiverIn | None = None


class TimelineOut(BaseModel):
    time: str
    context: str
    area: str | None
    state: str
    state_label: str


class ShipmentOut(BaseModel):
    id: int
    case_id: int
    direction: str
    carrier: str
    waybill_no: str
    state: str
    state_label: str
    exception: bool
    subscription: str
    receiver_name: str  # masked
    receiver_phone: str  # masked
    receiver_address: str  # masked
    citizen_choice: str | None
    last_event_at: str | None
    created_at: str | None
    timeline: list[TimelineOut] | None = None


class ShipmentList(BaseModel):
    items: list[ShipmentOut]


class DeliveryMethodOut(BaseModel):
    case_id: int
    method: str
    pickup_materials: bool


class StaffListQuery(BaseModel):
    state: ShipmentState | None = None


@citizen.put("/cases/<case_id:int>/delivery")
@doc("Choose how to receive a case's result (快递送达 or 窗口领取)", "shipments")
@citizen_required
@body(DeliveryMethodIn)
@returns(DeliveryMethodOut)
async def choose_delivery(request: AppRequest, case_id: int) -> HTTPResponse:
    data: DeliveryMethodIn = request.ctx.body
    pref = await actions.choose_delivery(
        request.ctx.person_id,
        _case_id(case_id),
        method=data.method,
        receiver=data.receiver.to_receiver() if data.receiver else None,
        pickup=data.pickup_materials,
    )
    return ok(
        {"case_id": case_id, "method": pref.method, "pickup_materials": pref.pickup_materials}
    )


@citizen.get("/", strict_slashes=False)
@doc("My shipments with their tracking timeline", "shipments")
@citizen_required
@returns(ShipmentList)
async def my_shipments(request: AppRequest) -> HTTPResponse:
    return ok({"items": await views.my_shipments(request.ctx.person_id)})


@citizen.post("/<shipment_id:int>/choice")
@doc("After a failed delivery: ask for re-delivery or pick-up at the hall", "shipments")
@citizen_required
@body(ChoiceIn)
@returns(ShipmentOut)
async def choose_after_failure(request: AppRequest, shipment_id: int) -> HTTPResponse:
    data: ChoiceIn = request.ctx.body
    shipment = await actions.citizen_choice(
        request.ctx.person_id,
        _shipment_id(shipment_id),
        data.choice,
        data.receiver.to_receiver() if data.receiver else None,
    )
    return ok(views.shape(shipment))


@staff.post("/", strict_slashes=False)
@doc("Create a shipment for a case: book with the carrier or enter a waybill", "staff shipments")
@staff_required("clerk")
@body(ShipmentIn)
@returns(ShipmentOut, status=201)
async def create(request: AppRequest) -> HTTPResponse:
    data: ShipmentIn = request.ctx.body
    principal: StaffPrincipal = request.ctx.staff
    edges = request.app.ctx.edges
    shipment = await create_shipment(
        data.case_id,
        staff_id=principal.id,
        department_id=principal.department_scope,
        direction=data.direction,
        tracker=edges.tracker("kuaidi100"),
        carrier_client=edges.carrier() if data.mode == "book" else None,
        carrier=data.carrier,
        waybill_no=data.waybill_no,
        receiver=data.receiver.to_receiver() if data.receiver else None,
    )
    return ok(views.shape(shipment), status=201)


@staff.get("/", strict_slashes=False)
@doc("Shipments by state, delivery exceptions first", "staff shipments")
@staff_required("clerk")
@query(StaffListQuery)
@returns(ShipmentList)
async def list_shipments(request: AppRequest) -> HTTPResponse:
    state = request.ctx.query.state
    return ok({"items": await views.staff_shipments(request.ctx.staff.department_scope, state)})


@staff.post("/<shipment_id:int>/redeliver")
@doc("Book a new delivery after a refusal or return", "staff shipments")
@staff_required("clerk")
@returns(ShipmentOut, status=201)
async def redeliver(request: AppRequest, shipment_id: int) -> HTTPResponse:
    principal: StaffPrincipal = request.ctx.staff
    edges = request.app.ctx.edges
    shipment = await actions.redeliver(
        _shipment_id(shipment_id),
        staff_id=principal.id,
        department_id=principal.department_scope,
        tracker=edges.tracker("kuaidi100"),
        carrier_client=edges.carrier(),
    )
    return ok(views.shape(shipment), status=201)


@staff.post("/<shipment_id:int>/hall-pickup")
@doc("The citizen collected the result at the hall", "staff shipments")
@staff_required("clerk")
@returns(ShipmentOut)
async def hall_pickup(request: AppRequest, shipment_id: int) -> HTTPResponse:
    principal: StaffPrincipal = request.ctx.staff
    shipment = await actions.hall_pickup(
        _shipment_id(shipment_id), staff_id=principal.id, department_id=principal.department_scope
    )
    return ok(views.shape(shipment))
