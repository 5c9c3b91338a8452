"""承办人: who handles a case. A staff member of the case's department claims an unassigned
case, or a reviewer, approver or admin assigns it; a handler is changed only by a reassignment
that says why. Each change is a step of the case's timeline, in the same transaction.

Only staff of the case's own department may handle it (an admin of another department sees the
case but cannot be its handler), and only while it is still being handled (not a draft, not
finished)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from app import clock
from app.cases.transitions import Actor, record_step
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.staff import Role, StaffPrincipal
from models.cases import Case, CaseStatus
from models.core import StaffAccount
from models.handling import CaseHandler

S = CaseStatus
CLOSED = frozenset({S.draft, S.completed, S.refused, S.withdrawn})
# who may be named 承办人, and who may name someone else
HANDLING_ROLES = (Role.clerk, Role.reviewer, Role.approver)
ASSIGNING_ROLES = (Role.reviewer, Role.approver, Role.admin)


@dataclass(frozen=True)
class HandlerView:
    staff_id: int
    name: str
    assigned_at: datetime
    assigned_by: int

    def as_dict(self) -> dict[str, object]:
        return {"staff_id": self.staff_id, "name": self.name,
                "assigned_at": clock.iso(self.assigned_at), "assigned_by": self.assigned_by}


async def handler_of(case_id: int) -> HandlerView | None:
    row = await CaseHandler.get_or_none(case_id=case_id).prefetch_related("staff")
    if row is None:
        return None
    staff: StaffAccount = row.staff  # type: ignore[assignment]
    return HandlerView(staff.id, staff.display_name, row.assigned_at, row.assigned_by)


def _open(case: Case) -> None:
    if CaseStatus(case.status) in CLOSED:
        raise Conflict("办件已办结或未提交，不能指定承办人", code="CASE_CLOSED")


def _own_department(staff: StaffPrincipal, case: Case) -> None:
    if staff.department_id != case.department_id:
        raise Forbidden("只能由办件所属部门的工作人员承办", code="NOT_CASE_DEPARTMENT")


async def _colleague(staff_id: int, case: Case) -> StaffAccount:
    """An active staff member of the case's department with a handling role; 404 otherwise
    (another department's staff are not this department's to name)."""
    account = await StaffAccount.get_or_none(id=staff_id, department_id=case.department_id)
    if account is None or not account.active:
        raise NotFound("工作人员不存在", code="STAFF_NOT_FOUND")
    if not set(account.roles) & {r.value for r in (*HANDLING_ROLES, Role.admin)}:
        raise ValidationFailed("该工作人员没有承办权限", code="STAFF_CANNOT_HANDLE",
                               fields={"staff_id": "没有承办权限"})
    return account


async def claim(case: Case, staff: StaffPrincipal, actor: Actor) -> HandlerView:
    """I take an unassigned case of my department (taking my own again changes nothing)."""
    _own_department(staff, case)
    account = await _colleague(staff.id, case)
    return await _set(case, account, actor, by=staff.id, reason=None, kind="claim")


async def assign(
    case: Case, staff: StaffPrincipal, actor: Actor, to_staff_id: int
) -> HandlerView:
    """Name the handler of a case that has none yet (the caller sees the case already)."""
    account = await _colleague(to_staff_id, case)
    return await _set(case, account, actor, by=staff.id, reason=None, kind="assign")


async def reassign(
    case: Case, staff: StaffPrincipal, actor: Actor, to_staff_id: int, reason: str
) -> HandlerView:
    """Give a case that has a handler to someone else, saying why."""
    if len(reason.strip()) < 2:
        raise ValidationFailed("请说明改派原因", code="REASON_REQUIRED", fields={"reason": "必填"})
    account = await _colleague(to_staff_id, case)
    return await _set(case, account, actor, by=staff.id, reason=reason.strip(), kind="reassign")


_LABELS = {"claim": "领办", "assign": "指定承办人", "reassign": "改派承办人"}


async def _set(
    case: Case, account: StaffAccount, actor: Actor, *, by: int, reason: str | None, kind: str
) -> HandlerView:
    at = clock.now()
    async with in_transaction() as conn:
        locked = await Case.select_for_update().using_db(conn).get(id=case.id)
        _open(locked)
        current = await CaseHandler.get_or_none(case_id=case.id, using_db=conn)
        if current is not None and current.staff_id == account.id:
            if kind == "reassign":
                raise Conflict("该工作人员已是本件承办人", code="ALREADY_HANDLER")
            return HandlerView(account.id, account.display_name, current.assigned_at,
                               current.assigned_by)
        if current is not None and kind != "reassign":
            raise Conflict("本件已有承办人，如需更换请改派", code="CASE_ALREADY_ASSIGNED")
        if current is None and kind == "reassign":
            raise Conflict("本件尚无承办人", code="CASE_UNASSIGNED")
        previous = current.staff_id if current else None
        if current is None:
            await CaseHandler.create(case_id=case.id, staff_id=account.id, assigned_by=by,
                                     assigned_at=at, using_db=conn)
        else:
            await CaseHandler.filter(id=current.id).using_db(conn).update(
                staff_id=account.id, assigned_by=by, assigned_at=at)
        await record_step(
            case, actor=actor, reason=reason or f"承办人：{account.display_name}",
            data={"internal": True, "kind": "handler", "label": _LABELS[kind],
                  "handler_id": account.id, "handler_name": account.display_name,
                  "previous_id": previous},
            connection=conn,
        )
    return HandlerView(account.id, account.display_name, at, by)


async def colleagues(
    staff: StaffPrincipal, *, department_id: int | None = None, role: str | None = None
) -> list[StaffAccount]:
    """Active staff of the reader's department (admins: any, or the one asked for), the people
    a case can be given to or a chain step can name."""
    scope = staff.department_scope
    qs = StaffAccount.filter(active=True)
    dept = scope if scope is not None else department_id
    if dept is not None:
        qs = qs.filter(department_id=dept)
    accounts = await qs.order_by("department_id", "display_name", "id").limit(500)
    if role:
        accounts = [a for a in accounts if role in a.roles or Role.admin in a.roles]
    return accounts
