"""Our answers to the 12345 system, one per outbound job (``app.outbound``): made from the
``TicketReply`` row (never changed), sent with no transaction open."""

from __future__ import annotations

from typing import Any

from app.edges import Edges
from app.tickets.hotline import HotlineReply
from app.tickets.hotline_in import SOURCE
from models.core import Department
from models.jobs import PlatformJob
from models.tickets import Ticket, TicketReply


async def send_reply(job: PlatformJob, edges: Edges) -> dict[str, Any]:
    answer = await TicketReply.get(id=int(job.payload["reply_id"]))
    ticket = await Ticket.get(id=int(job.payload["ticket_id"]))
    dept = await Department.get(id=answer.department_id)
    receipt = await edges.hotline().send_reply(HotlineReply(
        key=job.key, ticket_no=(ticket.source_ref or "").removeprefix(SOURCE),
        department_code=dept.code, department_name=dept.name, text=answer.text,
        replied_at=answer.at))
    return {"receipt_no": receipt.receipt_no, "duplicate": receipt.duplicate}


SENDERS = {"hotline.reply": send_reply}
