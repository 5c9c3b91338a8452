"""``POST /callbacks/hotline``: what the 12345 system sends, verify → record → act → answer.

Verify: the edge checks the signature and freshness; the nonce must be new (kept in the
key-value store for twice the accepted clock skew), so a replayed request is refused even
inside the window. Record: every delivery, sealed (it carries the caller's name and phone);
only a verified one takes its ``dispatchId``, so a forgery never squats a real one, and
redeliveries of one dispatch share its row. Act: once per ``dispatchId``; a redelivery of one
already acted on is answered as it was. A refusal changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError

from app import clock
from app.errors import ApiError
from app.kv import KeyValue
from app.security import pii
from app.tickets import actions, trail
from app.tickets.hotline import (
    CallbackRefused,
    HotlineDispatch,
    HotlineFeedback,
    HotlineGateway,
    Verified,
)
from app.tickets.intake import NewTicket, open_ticket
from models.cases import Case
from models.catalogue import ServiceItem
from models.core import Department
from models.tickets import HotlineCallback, Ticket, TicketState

log = logging.getLogger("zsb.hotline")
NONCE_SECONDS = 600  # twice the accepted clock skew
SOURCE = "hotline:"


@dataclass(frozen=True)
class Answer:
    status: int
    code: str
    message: str
    ticket: Ticket | None = None

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.ticket is not None:
            out["data"] = {"localNo": self.ticket.number}
        return out


async def _record(body: bytes, headers: dict[str, str], *, outcome: str, error: str | None,
                  verified: Verified | None = None) -> HotlineCallback:
    return await HotlineCallback.create(
        dispatch_id=verified.message.dispatch_id if verified else None,
        kind="dispatch" if verified and isinstance(verified.message, HotlineDispatch)
        else ("feedback" if verified else None),
        headers=verified.headers if verified else {}, body_enc=pii.encrypt(
            body.decode("utf-8", "replace")), verified=verified is not None,
        error=(error or None) and error[:255], outcome=outcome)


async def receive(gateway: HotlineGateway, kv: KeyValue, method: str, path: str,
                  headers: dict[str, str], body: bytes) -> Answer:
    try:
        verified = gateway.verify_callback(method, path, headers, body)
    except CallbackRefused as exc:
        log.warning("hotline callback refused: %s", exc.code)
        await _record(body, {}, outcome="rejected", error=f"{exc.code} {exc}")
        return Answer(exc.status, exc.code, "签名错误" if exc.code == "1001" else str(exc))
    if not await kv.set(f"hotline:nonce:{verified.nonce}", "1", ex=NONCE_SECONDS, nx=True):
        log.warning("hotline callback refused: nonce reused (replay)")
        await _record(body, {}, outcome="replayed", error="1003 nonce reused")
        return Answer(409, "1003", "请求重复")
    row = await HotlineCallback.get_or_none(dispatch_id=verified.message.dispatch_id)
    if row is not None and row.handled_at is not None:
        await HotlineCallback.filter(id=row.id).update(deliveries=row.deliveries + 1)
        done = await Ticket.get_or_none(id=row.ticket_id) if row.ticket_id else None
        return Answer(200, "0", "成功", done)
    if row is None:
        try:
            row = await _record(body, {}, outcome="received", error=None, verified=verified)
        except IntegrityError:  # the same dispatch at the same moment: it is being handled
            return Answer(503, "5000", "处理中，请稍后重试")
    try:
        answer = await _act(verified)
    except ApiError as exc:
        answer = Answer(exc.status, "2001", exc.message)
    except Exception as exc:
        log.exception("hotline callback failed")
        await HotlineCallback.filter(id=row.id).update(outcome="error", error=repr(exc)[:255])
        return Answer(500, "5000", "系统繁忙")
    await HotlineCallback.filter(id=row.id).update(
        outcome="applied" if answer.code == "0" else "ignored", handled_at=clock.now(),
        ticket_id=answer.ticket.id if answer.ticket else None, error=None)
    return answer


async def _act(verified: Verified) -> Answer:
    msg = verified.message
    if isinstance(msg, HotlineFeedback):
        return await _feedback(msg)
    return Answer(200, "0", "成功", await _dispatch(msg))


async def _dispatch(msg: HotlineDispatch) -> Ticket:
    department_id: int | None = None
    case_id: int | None = None
    item_id: int | None = None
    if msg.department_code and (dept := await Department.get_or_none(code=msg.department_code)):
        department_id = dept.id
    if msg.case_no and (case := await Case.get_or_none(number=msg.case_no)):
        case_id, item_id = case.id, case.item_id
        department_id = department_id or case.department_id
    if msg.item_code and item_id is None and (
            item := await ServiceItem.get_or_none(code=msg.item_code)):
        item_id = item.id
        department_id = department_id or item.department_id
    return await open_ticket(NewTicket(
        type=msg.type, subject=msg.subject, text=msg.content, channel="hotline",
        actor=trail.HOTLINE, anonymous=msg.anonymous, contact_name=msg.caller_name,
        contact_phone=msg.caller_phone, case_id=case_id, item_id=item_id,
        department_id=department_id, limit_days=msg.limit_days,
        source_ref=SOURCE + msg.ticket_no))


async def _feedback(msg: HotlineFeedback) -> Answer:
    ticket = await Ticket.get_or_none(source_ref=SOURCE + msg.ticket_no)
    if ticket is None:
        return Answer(404, "2004", "工单不存在")
    if ticket.state != TicketState.replied:
        return Answer(200, "0", "工单当前状态不接受回访结果，已记录", ticket)
    if msg.satisfied:
        ticket = await actions.confirm(ticket.id, trail.HOTLINE)
    else:
        ticket = await actions.dissatisfied(ticket.id, trail.HOTLINE, msg.comment or "回访不满意")
    return Answer(200, "0", "成功", ticket)


