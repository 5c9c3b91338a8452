"""Create a shipment for a case: book with the carrier or take a waybill staff typed in.

Order: book (network, no transaction) → one short transaction (shipment, its first state-log
line, case result_issued → delivering) → subscribe (network). The booking ``orderId`` is
derived from the case and attempt, so a retried booking answers the same waybill.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app import clock
from app.cases.transitions import Actor, transition
from app.errors import ApiError, Conflict, NotFound
from app.interfaces import Booker, ProviderError, Tracker
from app.reforms.tolerance import ensure_released
from app.security import pii
from app.shipments.subscribe import subscribe
from models.cases import Case, CaseStatus
from models.core import Department
from models.express import (
    DeliveryPreference,
    Direction,
    Shipment,
    ShipmentEvent,
    ShipmentState,
)


@dataclass(frozen=True)
class Receiver:
    name: str
    phone: str
    address: str


class CarrierUnavailable(ApiError):
    status = 502
    code = "CARRIER_UNAVAILABLE"
    message = "快递公司下单失败，请稍后重试或手工录入运单号"


async def _citizen_party(case: Case, given: Receiver | None, result: bool) -> Receiver:
    if given:
        return given
    pref = await DeliveryPreference.get_or_none(case_id=case.id)
    wanted = pref is not None and (pref.method == "express" if result else pref.pickup_materials)
    if pref is None or not wanted:
        raise Conflict("申请人未选择快递送达，请填写收件信息", code="NO_DELIVERY_ADDRESS")
    return Receiver(
        pii.decrypt(pref.receiver_name),
        pii.decrypt(pref.receiver_phone),
        pii.decrypt(pref.receiver_address),
    )


async def create_shipment(
    case_id: int,
    *,
    staff_id: int,
    department_id: int | None,
    direction: Direction,
    tracker: Tracker,
    carrier_client: Booker | None,
    carrier: str | None = None,
    waybill_no: str | None = None,
    receiver: Receiver | None = None,
) -> Shipment:
    """``carrier_client`` books a waybill; without it ``carrier`` and ``waybill_no`` are used."""
    case = await Case.get_or_none(id=case_id)
    if case is None or (department_id is not None and case.department_id != department_id):
        raise NotFound("办件不存在", code="CASE_NOT_FOUND")
    result = direction == Direction.result_delivery
    if result and case.status not in (CaseStatus.result_issued, CaseStatus.delivering):
        raise Conflict(
            "办件尚未出件，不能寄送结果",
            code="ILLEGAL_TRANSITION",
            fields={"status": str(case.status)},
        )
    if result:
        await ensure_released(case.id, "delivery")  # 容缺: issued, not delivered until 补齐
    citizen = await _citizen_party(case, receiver, result)
    dept = await Department.get(id=case.department_id)
    hall = Receiver(dept.name, dept.phone or "12345", dept.address or dept.name)
    to, frm = (citizen, hall) if result else (hall, citizen)
    order_id = None
    if carrier_client is not None:
        attempt = await Shipment.filter(case_id=case.id).count() + 1
        order_id = f"ZSB{case.number}-{'R' if result else 'P'}{attempt}"
        try:
            booking = await carrier_client.book(
                order_id,
                sender=frm,
                receiver=to,
                pickup=not result,
                cargo="办件结果" if result else "申请材料",
            )
        except ProviderError as exc:
            raise CarrierUnavailable(fields={"code": exc.code}) from exc
        carrier, waybill_no = booking.company, booking.waybill_no
    if not carrier or not waybill_no:
        raise ApiError("请填写快递公司和运单号", code="VALIDATION_FAILED", status=422)
    shipment = await _record(
        case, direction, carrier.lower(), waybill_no.strip(), order_id, to, staff_id
    )
    await subscribe(tracker, shipment)
    return shipment


async def _record(
    case: Case,
    direction: Direction,
    carrier: str,
    waybill_no: str,
    order_id: str | None,
    to: Receiver,
    staff_id: int,
) -> Shipment:
    actor = Actor("staff", str(staff_id))
    try:
        async with in_transaction() as conn:
            shipment = await Shipment.create(
                case_id=case.id,
                person_id=case.person_id,
                department_id=case.department_id,
                direction=direction,
                carrier=carrier,
                waybill_no=waybill_no,
                order_id=order_id,
                booked=order_id is not None,
                state=ShipmentState.created,
                receiver_name=pii.encrypt(to.name),
                receiver_phone=pii.encrypt(to.phone),
                receiver_address=pii.encrypt(to.address),
                checked_at=clock.now(),
                created_by=staff_id,
                using_db=conn,
            )
            await ShipmentEvent.create(
                shipment_id=shipment.id,
                actor_kind=actor.kind,
                actor_id=actor.id,
                from_state=None,
                to_state=ShipmentState.created,
                reason="预约快递上门" if order_id else "录入运单号",
                data={"waybill_no": waybill_no, "carrier": carrier},
                at=clock.now(),
                using_db=conn,
            )
            if direction == Direction.result_delivery and case.status == CaseStatus.result_issued:
                await transition(
                    case,
                    CaseStatus.delivering,
                    actor=actor,
                    reason=f"办件结果已寄出，运单号 {waybill_no}",
                    data={"shipment_id": shipment.id},
                    connection=conn,
                )
    except IntegrityError as exc:
        raise Conflict("该运单号已登记", code="WAYBILL_EXISTS") from exc
    return shipment
