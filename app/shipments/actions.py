"""What people do with shipments: choose 快递送达, answer a failed delivery, hall pick-up."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from app.cases.transitions import Actor, transition
from app.catalogue import fees
from app.errors import Conflict, NotFound
from app.interfaces import Booker, Tracker
from app.reforms.tolerance import ensure_released
from app.security import pii
from app.shipments.booking import Receiver, create_shipment
from app.shipments.records import set_state
from models.cases import Case, CaseStatus
from models.catalogue import ServiceItemVersion
from models.express import (
    EXCEPTIONS,
    FINAL,
    DeliveryPreference,
    Direction,
    Shipment,
    ShipmentState,
)

CHOICES = ("redeliver", "hall_pickup")


async def choose_delivery(
    person_id: int, case_id: int, *, method: str, receiver: Receiver | None, pickup: bool
) -> DeliveryPreference:
    case = await Case.get_or_none(id=case_id, person_id=person_id)
    if case is None:
        raise NotFound("办件不存在", code="CASE_NOT_FOUND")
    if case.status in (CaseStatus.delivering, CaseStatus.completed, CaseStatus.withdrawn):
        raise Conflict("办件结果已寄出或已办结，不能再修改领取方式", code="DELIVERY_LOCKED")
    version = await ServiceItemVersion.get(id=case.item_version_id)
    if method == "express" and "express" not in (version.delivery_options or []):
        raise Conflict("该事项不提供快递送达，请到窗口领取", code="EXPRESS_NOT_OFFERED")
    if (method == "express" or pickup) and receiver is None:
        raise Conflict("请填写收件人、电话和地址", code="NO_DELIVERY_ADDRESS")
    r = receiver or Receiver("", "", "")
    delivery = "express" if method == "express" else "window"
    async with in_transaction() as conn:
        locked = await Case.select_for_update().using_db(conn).get(id=case.id)
        changes: dict[str, object] = {"delivery": delivery}
        if delivery != locked.delivery and (version.postage_fen or 0) > 0:
            # postage follows the delivery: while a draft the fees are worked out again,
            # afterwards what was (or is being) charged is not changed here
            if locked.status != CaseStatus.draft:
                raise Conflict("办件已提交，送达方式涉及邮费，不能再更改；请联系办理窗口",
                               code="DELIVERY_FEE_LOCKED")
            changes.update(fees.fee_terms(version, delivery))
        pref, _ = await DeliveryPreference.update_or_create(
            case_id=case.id,
            defaults={
                "method": method,
                "pickup_materials": pickup,
                "receiver_name": pii.encrypt(r.name),
                "receiver_phone": pii.encrypt(r.phone),
                "receiver_address": pii.encrypt(r.address),
            },
            using_db=conn,
        )
        await Case.filter(id=case.id).using_db(conn).update(**changes)
    return pref


async def citizen_choice(
    person_id: int, shipment_id: int, choice: str, receiver: Receiver | None
) -> Shipment:
    """After 拒签 / 退回 the citizen asks for re-delivery (maybe elsewhere) or hall pick-up."""
    shipment = await Shipment.get_or_none(id=shipment_id, person_id=person_id)
    if shipment is None:
        raise NotFound("邮件不存在", code="SHIPMENT_NOT_FOUND")
    if shipment.state not in EXCEPTIONS:
        raise Conflict("邮件未出现投递异常，无需选择", code="NO_DELIVERY_EXCEPTION")
    shipment.citizen_choice = choice
    fields = ["citizen_choice", "updated_at"]
    if receiver is not None and choice == "redeliver":
        shipment.receiver_name = pii.encrypt(receiver.name)
        shipment.receiver_phone = pii.encrypt(receiver.phone)
        shipment.receiver_address = pii.encrypt(receiver.address)
        fields += ["receiver_name", "receiver_phone", "receiver_address"]
    await shipment.save(update_fields=fields)
    return shipment


async def hall_pickup(shipment_id: int, *, staff_id: int, department_id: int | None) -> Shipment:
    """The citizen collected the result at the hall: the shipment ends, the case completes."""
    actor = Actor("staff", str(staff_id))
    async with in_transaction() as conn:
        shipment = await Shipment.select_for_update().using_db(conn).get_or_none(id=shipment_id)
        if shipment is None or (
            department_id is not None and shipment.department_id != department_id
        ):
            raise NotFound("邮件不存在", code="SHIPMENT_NOT_FOUND")
        if shipment.state in FINAL:
            raise Conflict("邮件已结束，不能改为窗口自取", code="SHIPMENT_FINISHED")
        if shipment.direction == Direction.result_delivery:
            await ensure_released(shipment.case_id, "delivery")  # 容缺 materials first
        await set_state(
            shipment,
            ShipmentState.hall_pickup,
            actor=actor,
            reason="申请人到窗口领取",
            connection=conn,
        )
        case = await Case.filter(id=shipment.case_id).using_db(conn).get()
        if shipment.direction == Direction.result_delivery and case.status in (
            CaseStatus.delivering,
            CaseStatus.result_issued,
        ):
            await transition(
                case,
                CaseStatus.completed,
                actor=actor,
                reason="申请人到窗口领取办件结果",
                connection=conn,
            )
    return shipment


async def close_for_redelivery(shipment_id: int, *, staff_id: int) -> None:
    async with in_transaction() as conn:
        # re-read under lock: a push may have moved it while the new waybill was booked
        shipment = await Shipment.select_for_update().using_db(conn).get(id=shipment_id)
        if shipment.state in FINAL:
            return
        await set_state(
            shipment,
            ShipmentState.cancelled,
            actor=Actor("staff", str(staff_id)),
            reason="重新投递",
            connection=conn,
        )


async def redeliver(
    shipment_id: int,
    *,
    staff_id: int,
    department_id: int | None,
    tracker: Tracker,
    carrier_client: Booker,
) -> Shipment:
    """Book a new waybill to the (possibly corrected) receiver; the old shipment is closed."""
    old = await Shipment.get_or_none(id=shipment_id)
    if old is None or (department_id is not None and old.department_id != department_id):
        raise NotFound("邮件不存在", code="SHIPMENT_NOT_FOUND")
    if old.state not in EXCEPTIONS or old.direction != Direction.result_delivery:
        raise Conflict("只有投递异常的结果邮件可以重新投递", code="NO_DELIVERY_EXCEPTION")
    receiver = Receiver(
        pii.decrypt(old.receiver_name),
        pii.decrypt(old.receiver_phone),
        pii.decrypt(old.receiver_address),
    )
    new = await create_shipment(
        old.case_id,
        staff_id=staff_id,
        department_id=department_id,
        direction=Direction(old.direction),
        tracker=tracker,
        carrier_client=carrier_client,
        receiver=receiver,
    )
    await close_for_redelivery(old.id, staff_id=staff_id)
    return new
