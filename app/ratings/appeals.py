"""申诉: a department that finds a 差评 unfair (恶意差评, a rating of something it does not
handle) files an appeal with its reasons and evidence; a supervisor (督查), never the one who
filed it, decides. Upheld: the rating is kept but excluded from figures, its 整改 closes, the
citizen is told and the province hears of it. Rejected: the 整改 goes on."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app import clock
from app.errors import Conflict
from app.ratings import content, rectifications, trail
from app.scoped import Sees, visible
from models.ratings import (
    Appeal,
    AppealState,
    Level,
    Rating,
    Rectification,
    RectificationOutcome,
    RectificationState,
)


async def file(rating_id: int, *, sees: Sees, staff_id: int, reason: str) -> Appeal:
    rating = await visible(Rating, rating_id, sees, "评价不存在", "RATING_NOT_FOUND")
    if Level(rating.level) not in content.BAD:
        raise Conflict("只能对差评提出申诉", code="APPEAL_NOT_ALLOWED")
    if rating.excluded:
        raise Conflict("该评价已不计入统计", code="RATING_EXCLUDED")
    try:
        async with in_transaction() as conn:
            appeal = await Appeal.create(rating_id=rating.id, department_id=rating.department_id,
                                         filed_by=staff_id, reason=reason.strip(), using_db=conn)
            await trail.step(conn, rating.id, "appeal", "filed", trail.staff(staff_id),
                             to=AppealState.pending, note=appeal.reason, event="appeal.filed",
                             payload={"appeal_id": appeal.id,
                                      "department_id": rating.department_id,
                                      "level_name": content.LEVEL_NAMES[Level(rating.level)]})
    except IntegrityError as exc:
        raise Conflict("该评价已提出过申诉", code="APPEAL_EXISTS") from exc
    return appeal


async def for_staff(appeal_id: int, sees: Sees) -> Appeal:
    return await visible(Appeal, appeal_id, sees, "申诉不存在", "APPEAL_NOT_FOUND")


async def decide(appeal_id: int, *, sees: Sees, staff_id: int, upheld: bool, note: str
                 ) -> Appeal:
    await for_staff(appeal_id, sees)
    async with in_transaction() as conn:
        appeal = await Appeal.select_for_update().using_db(conn).get(id=appeal_id)
        if appeal.state != AppealState.pending:
            raise Conflict("该申诉已有结论", code="APPEAL_DECIDED")
        if appeal.filed_by == staff_id:
            raise Conflict("申诉人不能审核自己提出的申诉", code="APPEAL_OWN")
        now = clock.now()
        appeal.state = AppealState.upheld if upheld else AppealState.rejected
        appeal.decided_by, appeal.decided_at, appeal.decision_note = staff_id, now, note.strip()
        await appeal.save(using_db=conn)
        rating = await Rating.select_for_update().using_db(conn).get(id=appeal.rating_id)
        target = await rectifications.target_of(rating)
        if upheld:
            rating.excluded, rating.excluded_at = True, now
            rating.excluded_reason = appeal.reason
            await rating.save(using_db=conn, update_fields=["excluded", "excluded_at",
                                                            "excluded_reason", "updated_at"])
            fix = await Rectification.filter(rating_id=rating.id).using_db(conn).first()
            if fix is not None and fix.state != RectificationState.closed:
                await rectifications.close(conn, fix, RectificationOutcome.excluded,
                                           trail.staff(staff_id), target)
        words = {"appeal_id": appeal.id, "decision": str(appeal.state),
                 "decision_name": "成立" if upheld else "不成立",
                 "department_id": appeal.department_id, "reason": appeal.reason,
                 "note": appeal.decision_note, "decided_at": clock.iso(now),
                 "subject_text": target.text, "link": rectifications.link(target),
                 **target.filter}
        await trail.step(conn, rating.id, "appeal", "decided", trail.staff(staff_id),
                         frm=AppealState.pending, to=appeal.state, note=appeal.decision_note,
                         event="appeal.decided", payload=words)
        if upheld:  # the citizen is told their rating no longer counts, and why
            await trail.step(conn, rating.id, "rating", "excluded", trail.staff(staff_id),
                             note=appeal.reason, event="rating.excluded", payload=words,
                             person_id=rating.person_id)
    return appeal
