"""What a shipment's new state means for its case, the citizen and the clerk."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from app.cases.transitions import Actor, transition
from app.outbox import emit
from app.shipments.records import STATE_LABELS
from models.cases import Case, CaseStatus
from models.express import Direction, Shipment, ShipmentState

S = ShipmentState
PROGRESS = frozenset({S.collected, S.out_for_delivery})
ALERTS = frozenset({S.refused, S.returning, S.returned, S.trouble})
OFFER_CHOICE = frozenset({S.refused, S.returning, S.returned})

PROGRESS_TEXT = {
    S.collected: "您的办件结果已交寄，快递公司已揽收，运单号 {waybill}。",
    S.out_for_delivery: "您的办件结果正在派送，请保持电话畅通，运单号 {waybill}。",
}


def _payload(shipment: Shipment, case: Case, **extra: object) -> dict[str, object]:
    return {
        "shipment_id": shipment.id,
        "case_id": case.id,
        "case_no": case.number,
        "item_name": case.item_name,
        "direction": str(shipment.direction),
        "carrier": shipment.carrier,
        "waybill_no": shipment.waybill_no,
        "state": str(shipment.state),
        "state_label": STATE_LABELS.get(shipment.state, str(shipment.state)),
        **extra,
    }


async def apply_effects(
    shipment: Shipment, to: ShipmentState, *, actor: Actor, connection: BaseDBAsyncClient
) -> None:
    case = await Case.filter(id=shipment.case_id).using_db(connection).get()
    result = shipment.direction == Direction.result_delivery
    if to in PROGRESS and result:
        await emit(
            "shipment.progress",
            aggregate="shipment",
            aggregate_id=str(shipment.id),
            payload=_payload(
                shipment, case, text=PROGRESS_TEXT[to].format(waybill=shipment.waybill_no)
            ),
            person_id=shipment.person_id,
            connection=connection,
        )
    elif to is S.signed and result:
        if case.status == CaseStatus.delivering:
            await transition(
                case,
                CaseStatus.completed,
                actor=actor,
                reason="办件结果已签收",
                data={"shipment_id": shipment.id, "waybill_no": shipment.waybill_no},
                connection=connection,
            )
    elif to is S.signed:
        await emit(
            "shipment.materials_received",
            aggregate="shipment",
            aggregate_id=str(shipment.id),
            payload=_payload(shipment, case, department_id=shipment.department_id),
            connection=connection,
        )
    if to in ALERTS:
        # the courier could not deliver
        await _tell_staff(
            "shipment.exception",
            shipment,
            case,
            f"办件 {case.number} 的邮件{STATE_LABELS[to]}，请及时处理。",
            connection=connection,
        )
    if to in OFFER_CHOICE and result:
        await emit(
            "shipment.redelivery_offered",
            aggregate="shipment",
            aggregate_id=str(shipment.id),
            payload=_payload(
                shipment,
                case,
                choices=["redeliver", "hall_pickup"],
                text="您的办件结果未能送达，请选择重新投递或到窗口自取。",
            ),
            person_id=shipment.person_id,
            connection=connection,
        )


async def tracking_aborted(
    shipment: Shipment, message: str | None, *, connection: BaseDBAsyncClient
) -> None:
    """kuaidi100 gave up on the waybill (e.g. 3天查询无记录): the poller re-subscribes, and the
    clerk hears of it in case the waybill number is wrong."""
    case = await Case.filter(id=shipment.case_id).using_db(connection).get()
    await _tell_staff(
        "shipment.tracking_aborted",
        shipment,
        case,
        f"办件 {case.number} 的运单 {shipment.waybill_no} 暂无物流信息"
        f"（{message or '查询中止'}），请核对运单号。",
        connection=connection,
    )


async def _tell_staff(
    event_type: str,
    shipment: Shipment,
    case: Case,
    text: str,
    *,
    connection: BaseDBAsyncClient,
) -> None:
    """An alert for the clerks of the case's department."""
    await emit(
        event_type,
        aggregate="shipment",
        aggregate_id=str(shipment.id),
        payload=_payload(
            shipment, case, department_id=shipment.department_id, audience="staff", text=text
        ),
        connection=connection,
    )
