"""What the staff workbench shows: the queue (filters, "mine", counts), and for one case its
handler, its sign-off chain and exactly the actions its state and the reader's roles allow.

``ACTION_ROLES`` is the one table of which roles may take which action; the staff case routes
guard with it, and the console shows only what ``actions`` answers (the server decides).
"""

from __future__ import annotations

from typing import Any

from app import sql
from app.cases import queries
from app.cases.assignment import ASSIGNING_ROLES, CLOSED, HANDLING_ROLES, handler_of
from app.cases.signoff import chain_view
from app.cases.transitions import can_transition
from app.staff import Role, StaffPrincipal
from models.cases import Case, CaseStatus, SupplementNotice
from models.catalogue import ServiceItemVersion

S = CaseStatus
C, R, A = Role.clerk, Role.reviewer, Role.approver
ACTION_ROLES: dict[str, tuple[Role, ...]] = {
    "read": (C, R, A),
    "claim": HANDLING_ROLES,
    "assign": ASSIGNING_ROLES,
    "reassign": ASSIGNING_ROLES,
    "accept": (C,),
    "refuse": (C,),
    "supplement": (C, R),
    "supplement_sign_off": (R,),
    "start_review": (R,),
    "special_start": (R,),
    "special_end": (R,),
    "approve": (R, A),
    "deny": (R, A),
    "sign": (C, R, A),
    "issue_result": (C, R),
    "complete": (C, R),
}
ACTION_LABELS = {
    "claim": "领办", "assign": "指定承办人", "reassign": "改派", "accept": "受理",
    "refuse": "不予受理", "supplement": "一次性告知补正", "supplement_sign_off": "签批补正告知",
    "start_review": "开始审查", "special_start": "进入特别程序", "special_end": "结束特别程序",
    "approve": "准予许可", "deny": "不予许可", "sign": "签批", "sign_return": "退回",
    "issue_result": "出件", "complete": "办结",
}


def roles_for(action: str) -> tuple[str, ...]:
    return tuple(r.value for r in ACTION_ROLES[action])


async def actions(case: Case, staff: StaffPrincipal) -> list[dict[str, Any]]:
    """The actions open to ``staff`` on ``case`` now, in the order a clerk meets them."""
    out: list[str] = []

    def may(action: str) -> bool:
        return staff.has_any(*roles_for(action))

    status = CaseStatus(case.status)
    own = staff.department_id == case.department_id
    handler = await handler_of(case.id)
    if status not in CLOSED:
        if handler is None and own and may("claim"):
            out.append("claim")
        if may("assign"):
            out.append("assign" if handler is None else "reassign")
    pending = await SupplementNotice.filter(case_id=case.id, status="pending_signoff").first()
    if pending is None:
        for action, to in (("accept", S.accepted), ("refuse", S.refused),
                           ("supplement", S.supplement_requested)):
            if may(action) and can_transition(case, to):
                out.append(action)
    elif may("supplement_sign_off") and pending.requested_by != staff.id:
        out.append("supplement_sign_off")
    if status is S.accepted and may("start_review"):
        out.append("start_review")
    if may("special_start") and can_transition(case, S.special_stage):
        version = await ServiceItemVersion.get(id=case.item_version_id)
        if version.special_stages:
            out.append("special_start")
    if status is S.special_stage and may("special_end"):
        out.append("special_end")
    out += await _decisions(case, staff, may)
    for action, to in (("issue_result", S.result_issued), ("complete", S.completed)):
        if may(action) and can_transition(case, to):
            out.append(action)
    return [{"action": a, "label": ACTION_LABELS[a]} for a in out]


async def _decisions(case: Case, staff: StaffPrincipal, may: Any) -> list[str]:
    if not can_transition(case, S.approved):
        return []
    chain = await chain_view(case)
    if chain is None:
        return [a for a in ("approve", "deny") if may(a)]
    step_no = chain["next_step"]
    if step_no is None or staff.department_id != case.department_id:
        return []
    spec = chain["steps"][step_no - 1]
    signed = [s["signed"]["staff_id"] for s in chain["steps"] if s["signed"]]
    if not staff.has_any(spec["role"]) or staff.id in signed:
        return []
    if spec.get("staff_id") and spec["staff_id"] != staff.id:
        return []
    if spec.get("handler"):
        handler = await handler_of(case.id)
        if handler is None or handler.staff_id != staff.id:
            return []
    return ["sign", "sign_return"] if step_no > 1 else ["sign"]


async def handling(case: Case, staff: StaffPrincipal) -> dict[str, Any]:
    handler = await handler_of(case.id)
    return {
        "case_id": case.id,
        "handler": handler.as_dict() if handler else None,
        "chain": await chain_view(case),
        "actions": await actions(case, staff),
    }


# ---- the queue ----

_QUEUE = (
    "SELECT c.*, h.staff_id AS handler_id, s.display_name AS handler_name"
    " FROM case_record c LEFT JOIN case_handler h ON h.case_id = c.id"
    " LEFT JOIN staff_account s ON s.id = h.staff_id"
)
_COUNT = ("SELECT COUNT(*) AS n FROM case_record c"
          " LEFT JOIN case_handler h ON h.case_id = c.id")
_BY_STATUS = ("SELECT c.status, COUNT(*) AS n FROM case_record c"
              " LEFT JOIN case_handler h ON h.case_id = c.id")
_HANDLER_COLUMNS = ("handler_id", "handler_name")


def _text(head: str, where: str, tail: str = "") -> str:
    """A statement of fixed fragments: every value in ``where`` is a bound ``$n``."""
    return head + where + tail


def _where(
    staff: StaffPrincipal, *, department_id: int | None, statuses: list[str] | None,
    mine: bool, unassigned: bool, number: str | None, running_only: bool = False,
) -> tuple[str, list[Any]]:
    clauses: list[str] = ["c.status <> 'draft'"]
    args: list[Any] = []
    scope = staff.department_scope
    dept = scope if scope is not None else department_id
    if dept is not None:
        args.append(dept)
        clauses.append(f"c.department_id = ${len(args)}")
    wanted = list(queries.RUNNING) if running_only else statuses
    if running_only and statuses:
        wanted = [s for s in queries.RUNNING if s.value in statuses]
    if wanted is not None:
        if not wanted:
            clauses.append("1 = 0")
        else:
            marks = ", ".join(f"${len(args) + i}" for i in range(1, len(wanted) + 1))
            args += [str(getattr(s, "value", s)) for s in wanted]
            clauses.append(f"c.status IN ({marks})")
    if running_only:
        clauses.append("c.accepted_at IS NOT NULL")
    if mine:
        args.append(staff.id)
        clauses.append(f"h.staff_id = ${len(args)}")
    if unassigned:
        clauses.append("h.id IS NULL")
    if number:
        args.append(number.strip() + "%")
        clauses.append(f"c.number LIKE ${len(args)}")
    return " WHERE " + " AND ".join(clauses), args


async def queue(
    staff: StaffPrincipal, *, department_id: int | None = None,
    statuses: list[str] | None = None, colour: str | None = None, mine: bool = False,
    unassigned: bool = False, number: str | None = None, limit: int = 20, offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the queue, oldest first, and how many cases match. A colour is worked out
    from the clock, so a colour filter looks at running cases only."""
    where, args = _where(staff, department_id=department_id, statuses=statuses, mine=mine,
                         unassigned=unassigned, number=number, running_only=bool(colour))
    db = Case._meta.db
    if colour:
        rows = await sql.rows(db, _text(_QUEUE, where, " ORDER BY c.accepted_at, c.id"), *args)
        listed = [r for r in await _summaries(rows) if r["clock"]["colour"] == colour]
        return listed[offset: offset + limit], len(listed)
    [count] = await sql.rows(db, _text(_COUNT, where), *args)
    page = await sql.rows(
        db, _text(_QUEUE, where, f" ORDER BY c.id LIMIT {int(limit)} OFFSET {int(offset)}"),
        *args)
    return await _summaries(page), int(count["n"])


async def _summaries(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cases = [Case._init_from_db(**{k: v for k, v in r.items() if k not in _HANDLER_COLUMNS})
             for r in rows]
    out = []
    for row, (case, view) in zip(rows, await queries.with_clocks(cases), strict=True):
        item = queries.summary(case, view)
        item["department_id"] = case.department_id
        item["handler"] = ({"staff_id": row["handler_id"], "name": row["handler_name"]}
                           if row["handler_id"] else None)
        out.append(item)
    return out


async def counts(staff: StaffPrincipal, *, department_id: int | None = None) -> dict[str, Any]:
    """The numbers on the queue's tabs: per status, mine, unassigned, and per clock colour of
    the running cases."""
    where, args = _where(staff, department_id=department_id, statuses=None, mine=False,
                         unassigned=False, number=None)
    db = Case._meta.db
    by_status = {
        r["status"]: int(r["n"])
        for r in await sql.rows(db, _text(_BY_STATUS, where, " GROUP BY c.status"), *args)
    }
    open_where = where + " AND c.status NOT IN ('completed', 'refused', 'withdrawn')"
    [mine] = await sql.rows(
        db, _text(_COUNT, open_where, f" AND h.staff_id = ${len(args) + 1}"), *args, staff.id)
    [unassigned] = await sql.rows(db, _text(_COUNT, open_where, " AND h.id IS NULL"), *args)
    run_where, run_args = _where(staff, department_id=department_id, statuses=None, mine=False,
                                 unassigned=False, number=None, running_only=True)
    running = await sql.rows(db, _text(_QUEUE, run_where), *run_args)
    colours = {"green": 0, "yellow": 0, "red": 0}
    for item in await _summaries(running):
        colours[item["clock"]["colour"]] += 1
    return {"by_status": by_status, "total": sum(by_status.values()), "mine": int(mine["n"]),
            "unassigned": int(unassigned["n"]), "colours": colours}
