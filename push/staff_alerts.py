"""Outbox events a department must act on become ``StaffAlert`` rows: the workbench lists the
open ones of the reader's department and staff acknowledge them.

Written by the outbox consumer in its own transaction, once per event (``event_id`` is unique).
A payment anomaly is for staff only; the other kinds may also have a citizen-facing message.
"""

from __future__ import annotations

import logging
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from app import clock
from app.staff import StaffPrincipal
from models.cases import Case
from models.core import OutboxEvent
from models.push import StaffAlert
from push.inbox import newest_first
from push.templates import template_values

_CASE = "办件“{item_name}”（{case_no}）"
TEMPLATES: dict[str, tuple[str, str]] = {
    "case.clock_yellow": ("办件临近超期", _CASE + "已用{days_used}个工作日，临近承诺时限。"),
    "case.clock_red": ("办件已超期", _CASE + "已超过承诺时限（已用{days_used}个工作日）。"),
    "case.supplement_overdue": (
        "补正逾期未答复", _CASE + "的补正告知已于{deadline_text}到期，申请人未补正，请依法处理。"
    ),
    "case.tolerance_overdue": (
        "容缺材料逾期未补齐",
        _CASE + "容缺受理的“{material_name}”已于{deadline_text}到期仍未补齐，请依法处理。",
    ),
    "pledge.check_overdue": (
        "告知承诺核查逾期",
        _CASE + "中“{material_name}”的告知承诺应于{deadline_text}前完成事后核查。",
    ),
    "payment.refund_failed": (
        "退款失败", "订单{out_trade_no}退款{amount_yuan}元未成功：{error}。请核实后重试。"
    ),
    "shipment.exception": ("邮件投递异常", "{text}"),
    "shipment.tracking_aborted": ("物流查询中止", "{text}"),
    "shipment.materials_received": (
        "申请材料已送达", _CASE + "的申请材料已送达，运单号{waybill_no}，请查收。"
    ),
    "payment.anomaly": (
        "支付异常", "订单{out_trade_no}出现支付异常（{anomaly}），金额{amount_yuan}元，请核实处理。"
    ),
    # 好差评 (app/ratings) and 12345 tickets (app/tickets)
    "rectification.opened": (
        "收到差评待整改", "{subject_text}收到“{level_name}”评价，请于{due_text}前完成整改并答复。"
    ),
    "rectification.clock_yellow": (
        "差评整改临近期限", "{subject_text}的差评整改将于{due_text}到期。"
    ),
    "rectification.clock_red": (
        "差评整改已超期", "{subject_text}的差评整改已超过期限（{due_text}），已纳入督查。"
    ),
    "appeal.filed": ("评价申诉待审核", "一条“{level_name}”评价的申诉待督查审核。"),
    "appeal.decided": ("评价申诉有结论", "{subject_text}评价的申诉{decision_name}：{note}"),
    "ticket.assigned": (
        "新工单待办理", "{type_name}工单{ticket_no}“{subject}”已派至本部门，请于{due_date}前答复。"
    ),
    "ticket.reopened": (
        "工单重新办理", "{type_name}工单{ticket_no}的答复未获认可，已重新办理：{reason}。"
    ),
    "ticket.escalated": (
        "工单升级督办", "{type_name}工单{ticket_no}再次未获认可，已升级督办：{reason}。"
    ),
    "ticket.clock_yellow": (
        "工单临近时限", "{type_name}工单{ticket_no}将于{due_date}到期，请及时答复。"
    ),
    "ticket.clock_red": ("工单已超期", "{type_name}工单{ticket_no}已超过办理时限（{due_date}）。"),
    "platform_job.dead": (
        "外部系统发送失败", "{edge_name}任务{job_key}多次发送未成功（{error}），请核实后重新发送。"
    ),
}
log = logging.getLogger("zsb.push")
STAFF_ONLY = frozenset({"payment.anomaly"})
_DATA_KEYS = ("case_no", "item_name", "out_trade_no", "out_refund_no", "amount_fen", "anomaly",
              "deadline", "colour", "days_used", "waybill_no", "carrier", "state",
              "ticket_id", "ticket_no", "rating_id", "rectification_id", "appeal_id", "job_id",
              "due_date", "pledge_id", "material_name")


def _render(kind: str, payload: dict[str, Any]) -> tuple[str, str]:
    title, body = TEMPLATES[kind]
    values = template_values(payload)
    values.setdefault("error", "原因未知")
    return title, body.format_map(values)


def _case_id(e: OutboxEvent, payload: dict[str, Any]) -> int | None:
    raw = e.aggregate_id if e.aggregate == "case" else payload.get("case_id")
    try:
        return int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


async def record(events: list[OutboxEvent], conn: BaseDBAsyncClient) -> None:
    """Turn the alerting events among ``events`` into alerts (an event already turned into
    one adds nothing)."""
    mine = [e for e in events if e.event_type in TEMPLATES]
    if not mine:
        return
    payloads = {e.id: e.payload if isinstance(e.payload, dict) else {} for e in mine}
    cases = {e.id: _case_id(e, payloads[e.id]) for e in mine}
    unknown = {c for e in mine if (c := cases[e.id]) and not payloads[e.id].get("department_id")}
    departments = dict(await Case.filter(id__in=unknown).using_db(conn).values_list(
        "id", "department_id")) if unknown else {}
    alerts = []
    for e in mine:
        payload = payloads[e.id]
        try:
            title, text = _render(e.event_type, payload)
        except (ValueError, TypeError, KeyError):  # must not block the outbox behind it
            log.exception("outbox event %s (%s) cannot become an alert", e.id, e.event_type)
            continue
        alerts.append(StaffAlert(
            event_id=e.id, kind=e.event_type, title=title, body=text,
            severity="critical" if e.priority == "critical" else "normal",
            department_id=payload.get("department_id") or departments.get(cases[e.id]),
            case_id=cases[e.id], data={k: payload[k] for k in _DATA_KEYS if k in payload},
            created_at=clock.now(),
        ))
    await StaffAlert.bulk_create(alerts, ignore_conflicts=True, using_db=conn)


def _scope(staff: StaffPrincipal) -> Q:
    """The alerts of the staff member's own department: a work list, not a report. One who
    sees every department (``department_scope`` None: an admin) also gets those no department
    could be found for, which nobody else would see."""
    scope = Q(department_id=staff.department_id)
    return scope | Q(department_id=None) if staff.department_scope is None else scope


async def page(staff: StaffPrincipal, *, open_only: bool, before: int | None,
               limit: int) -> tuple[list[dict[str, Any]], int | None, int]:
    """The department's alerts, newest first; answer (items, next cursor, open count)."""
    query = StaffAlert.filter(_scope(staff))
    open_count = await query.filter(acknowledged_at=None).count()
    if open_only:
        query = query.filter(acknowledged_at=None)
    rows, cursor = await newest_first(query, before=before, limit=limit)
    return [shape(a) for a in rows], cursor, open_count


async def acknowledge(alert_id: int, staff: StaffPrincipal) -> StaffAlert | None:
    """Mark it seen and dealt with (the first acknowledgement stays); None if not visible."""
    scope = _scope(staff)
    await StaffAlert.filter(scope, id=alert_id, acknowledged_at=None).update(
        acknowledged_by=staff.id, acknowledged_at=clock.now())
    return await StaffAlert.filter(scope, id=alert_id).first()


def shape(a: StaffAlert) -> dict[str, Any]:
    return {
        "id": a.id, "kind": a.kind, "severity": a.severity, "title": a.title, "body": a.body,
        "case_id": a.case_id, "data": a.data, "created_at": clock.iso(a.created_at),
        "acknowledged": a.acknowledged_at is not None,
        "acknowledged_by": a.acknowledged_by, "acknowledged_at": clock.iso(a.acknowledged_at),
    }
