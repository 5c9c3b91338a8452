"""The department's alerts on the staff workbench: cases running late, 补正 left unanswered
after 受理, refunds the platform refused, payment anomalies. Any staff role of the department
reads and acknowledges them; an admin also sees those no department could be found for."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse

from app.context import AppRequest
from app.errors import NotFound
from app.handler_kit import INT8_MAX, doc, ok, query, returns, row_id
from app.security.auth import staff_required
from push import staff_alerts
from push.schemas import AlertOut, AlertPageOut, AlertQuery

bp = Blueprint("staff_alerts", url_prefix="/api/v1/staff/alerts")
TAG = "staff-alerts"
NOT_FOUND = "提醒不存在"


@bp.get("")
@doc("My department's alerts, newest first (cursor: before=<id>)", TAG)
@staff_required()
@query(AlertQuery)
@returns(AlertPageOut)
async def list_alerts(request: AppRequest) -> HTTPResponse:
    q: AlertQuery = request.ctx.query
    items, cursor, open_count = await staff_alerts.page(
        request.ctx.staff, open_only=q.open, before=q.before, limit=q.limit
    )
    return ok({"items": items, "next_before": cursor, "open_count": open_count})


@bp.post("/<alert_id:bigid>/ack")
@doc("Acknowledge an alert (the first acknowledgement is kept)", TAG)
@staff_required()
@returns(AlertOut)
async def acknowledge(request: AppRequest, alert_id: int) -> HTTPResponse:
    alert = await staff_alerts.acknowledge(
        row_id(alert_id, NOT_FOUND, "ALERT_NOT_FOUND", maximum=INT8_MAX), request.ctx.staff
    )
    if alert is None:
        raise NotFound(NOT_FOUND, code="ALERT_NOT_FOUND")
    return ok(staff_alerts.shape(alert))
