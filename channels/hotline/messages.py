"""The 12345 system's JSON, read into the core's messages and written from its replies
(``docs/haocp-and-12345.md``). Type codes are the hotline's (01 咨询 … 05 举报)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from app import clock
from app.tickets.hotline import CallbackRefused, HotlineDispatch, HotlineFeedback, HotlineMessage
from app.tickets.hotline import HotlineReply as Reply
from channels.hotline.errors import HotlineCode
from models.tickets import TicketType

TYPE_CODES: dict[str, TicketType] = {
    "01": TicketType.consult, "02": TicketType.complaint, "03": TicketType.suggestion,
    "04": TicketType.help, "05": TicketType.report,
}


def reply_path(ticket_no: str) -> str:
    return f"/api/v1/tickets/{ticket_no}/replies"


def _invalid(message: str) -> CallbackRefused:
    return CallbackRefused(message, code=HotlineCode.INVALID, status=400)


def _text(doc: dict[str, Any], name: str, limit: int, *, required: bool = True) -> str | None:
    value = doc.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _invalid(f"缺少字段 {name}")
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise _invalid(f"字段 {name} 不正确")
    return value.strip()


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise _invalid("时间格式不正确") from exc
    return clock.utc(parsed if parsed.tzinfo else parsed.replace(tzinfo=clock.SHANGHAI))


def parse(body: bytes) -> HotlineMessage:
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise _invalid("报文不是合法的 JSON") from exc
    if not isinstance(doc, dict):
        raise _invalid("报文不是 JSON 对象")
    event = doc.get("event")
    dispatch_id = _text(doc, "dispatchId", 64) or ""
    ticket_no = _text(doc, "ticketNo", 64) or ""
    if event == "feedback":
        if not isinstance(doc.get("satisfied"), bool):
            raise _invalid("缺少字段 satisfied")
        return HotlineFeedback(dispatch_id, ticket_no, doc["satisfied"],
                               _text(doc, "comment", 500, required=False))
    if event != "dispatch":
        raise _invalid("未知的事件类型")
    kind = TYPE_CODES.get(str(doc.get("typeCode")))
    if kind is None:
        raise _invalid("未知的工单类型")
    limit = doc.get("limitDays")
    if limit is not None and (not isinstance(limit, int) or not 0 < limit <= 60):
        raise _invalid("办理时限不正确")
    return HotlineDispatch(
        dispatch_id=dispatch_id, ticket_no=ticket_no, type=kind,
        subject=_text(doc, "title", 60) or "", content=_text(doc, "content", 4000) or "",
        caller_name=_text(doc, "callerName", 30, required=False),
        caller_phone=_text(doc, "callerPhone", 20, required=False),
        anonymous=bool(doc.get("anonymous")),
        department_code=_text(doc, "deptCode", 32, required=False),
        case_no=_text(doc, "caseNo", 32, required=False),
        item_code=_text(doc, "itemCode", 64, required=False),
        limit_days=limit, dispatched_at=_time(doc.get("dispatchedAt")),
    )


def reply_body(reply: Reply) -> dict[str, Any]:
    return {
        "replyKey": reply.key, "ticketNo": reply.ticket_no, "deptCode": reply.department_code,
        "deptName": reply.department_name, "content": reply.text,
        "repliedAt": clock.local(reply.replied_at).isoformat(timespec="seconds"),
    }
