"""Reports to the 好差评 system, one per outbound job (``app.outbound``).

An evaluation report is made from its ``RatingRevision`` (never changed), so however late or
often a job runs it says what that version said; 整改 and 申诉 reports carry the snapshot their
step wrote into the outbox event. The edge is asked for by name; no transaction is open while
it answers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from app.edges import Edges
from app.ratings import content
from app.ratings.reports import (
    AppealReport,
    EvaluationReport,
    RectificationReport,
    Report,
    Subject,
)
from app.security import pii
from models.cases import Case
from models.catalogue import ServiceItem
from models.core import Department
from models.jobs import PlatformJob
from models.ratings import Level, Rating, RatingRevision
from models.tickets import Ticket


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


async def subject_of(rating: Rating) -> tuple[Subject, bool]:
    """What was rated, as the province files it, and whether a company rated it."""
    dept = await Department.get(id=rating.department_id)
    item = await ServiceItem.get_or_none(id=rating.item_id) if rating.item_id else None
    company = False
    if rating.case_id is not None:
        case = await Case.get(id=rating.case_id)
        number, name, company = case.number, case.item_name, case.company_id is not None
    else:
        number = (await Ticket.get(id=rating.ticket_id)).number
        name = None
    return Subject(rating.kind.value, number, item.code if item else None, name,
                   dept.code, dept.name), company


async def evaluation(payload: dict[str, Any], key: str) -> EvaluationReport:
    rating = await Rating.get(id=int(payload["rating_id"]))
    rev = await RatingRevision.get(rating_id=rating.id, seq=int(payload["revision"]))
    subject, company = await subject_of(rating)
    allowed = content.allowed_tags(Level(rev.level), rev.channel)
    return EvaluationReport(
        key=key, rating_id=rating.id, revision=rev.seq, revision_kind=rev.kind.value,
        subject=subject, level=int(rev.level), level_name=content.LEVEL_NAMES[Level(rev.level)],
        tags=[(allowed.get(t, ""), t) for t in rev.tags],
        comment=pii.decrypt(rev.comment_enc) if rev.comment_enc else None,
        channel=rev.channel, content_version=rating.content_version, rated_at=rev.at,
        rater_ref=pii.blind_index(str(rating.person_id), "haocp-rater")[:32],
        rater_kind="company" if company else "person",
    )


def rectification(p: dict[str, Any], key: str) -> RectificationReport:
    return RectificationReport(
        key=key, rating_id=int(p["rating_id"]), rectification_id=int(p["rectification_id"]),
        state=p["state"], opened_at=cast(datetime, _time(p["opened_at"])),
        due_date=date.fromisoformat(p["due_date"]), limit_days=int(p["limit_days"]),
        overdue=bool(p.get("overdue")), measures=p.get("measures"), reply=p.get("reply"),
        replied_at=_time(p.get("replied_at")), outcome=p.get("outcome"),
        closed_at=_time(p.get("closed_at")),
    )


def appeal(p: dict[str, Any], key: str) -> AppealReport:
    return AppealReport(key=key, rating_id=int(p["rating_id"]), appeal_id=int(p["appeal_id"]),
                        decision=p["decision"], reason=p.get("reason") or "",
                        decided_at=cast(datetime, _time(p["decided_at"])), note=p.get("note"))


async def _send(edges: Edges, report: Report) -> dict[str, Any]:
    receipt = await edges.haocp().report(report)
    return {"receipt_no": receipt.receipt_no, "duplicate": receipt.duplicate}


async def send_evaluation(job: PlatformJob, edges: Edges) -> dict[str, Any]:
    return await _send(edges, await evaluation(job.payload, job.key))


async def send_rectification(job: PlatformJob, edges: Edges) -> dict[str, Any]:
    return await _send(edges, rectification(job.payload, job.key))


async def send_appeal(job: PlatformJob, edges: Edges) -> dict[str, Any]:
    return await _send(edges, appeal(job.payload, job.key))


SENDERS = {"haocp.evaluation": send_evaluation, "haocp.rectification": send_rectification,
           "haocp.appeal": send_appeal}
