"""A single message from staff to the person of one case (e.g. “请携带原件到3号窗口”)."""

from __future__ import annotations

import uuid

from tortoise.transactions import in_transaction

from app import outbox
from app.errors import NotFound
from app.notices import priority_of
from app.staff import StaffPrincipal
from models.cases import Case
from models.core import AuditLog
from push.enqueue import Draft, Live, enqueue
from push.templates import Rendered


async def send_to_case_person(
    staff: StaffPrincipal, *, case_id: int, title: str, body: str, quiet_hours: str,
) -> tuple[int, list[Live]]:
    """Answer the notification id and the live message to publish."""
    case = await Case.get_or_none(id=case_id)
    if case is None or not staff.sees_department(case.department_id):
        raise NotFound("办件不存在", code="CASE_NOT_FOUND")
    key = f"msg:{uuid.uuid4().hex}"
    rendered = Rendered("push.direct", priority_of("push.direct"), title, body, f"/cases/{case.id}")
    async with in_transaction() as conn:
        live = await enqueue([Draft(
            dedupe_key=key, person_id=case.person_id, rendered=rendered,
            data={"case_no": case.number, "item_name": case.item_name}, case_id=case.id,
        )], quiet_hours=quiet_hours, connection=conn)
        await AuditLog.create(
            actor_kind="staff", actor_id=str(staff.id), action="push.direct",
            target=f"case:{case.id}", detail={"title": title, "dedupe_key": key},
            using_db=conn)
    outbox.wake()
    return int(live[0].message["notification_id"]), live
