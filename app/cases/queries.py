"""Reading cases: a citizen's own, a department's queue, the public progress and the full view
(clock, timeline, materials, 补正 notices). Lookups scoped to an owner answer None / 404 for
anyone else's case, so the existence of other people's cases never shows."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from app import clock, sql
from app.cases import clocks, forms, materials, supplement
from app.cases.transitions import STATUS_LABELS
from app.errors import NotFound
from app.staff import StaffPrincipal
from models.cases import Case, CaseStatus, ClockPause, Material
from models.catalogue import ServiceItemVersion

S = CaseStatus
M = TypeVar("M", bound=Model)
PUBLIC_PROGRESS = ("已收件", "已受理", "审批中", "特别程序", "已办结", "已出件")
RUNNING = (S.accepted, S.under_review, S.special_stage, S.supplement_requested, S.resubmitted)


def public_progress(case: Case) -> str:
    """The six public progress states citizens see (the draft, never filed, is 未提交)."""
    status = CaseStatus(case.status)
    if status is S.draft:
        return "未提交"
    if status in (S.result_issued, S.delivering) or (
        status is S.completed and case.result_issued_at is not None
    ):
        return "已出件"
    if status is S.special_stage:
        return "特别程序"
    if status in (S.approved, S.denied, S.refused, S.completed, S.withdrawn) or (
        status in (S.fee_due, S.paid) and case.fee_stage == "approval"
    ):
        return "已办结"
    if case.accepted_at is None:
        return "已收件"
    return "已受理" if status is S.accepted else "审批中"


async def find_case_for_person(case_no: str, person_id: int) -> Case | None:
    return await Case.get_or_none(number=case_no.strip(), person_id=person_id)


_CASE_OF_PERSON = "SELECT * FROM case_record WHERE id = $1 AND person_id = $2"


async def case_for_person(case_id: int, person_id: int) -> Case:
    found = await sql.rows(Case._meta.db, _CASE_OF_PERSON, case_id, person_id)
    if not found:
        raise NotFound("办件不存在", code="CASE_NOT_FOUND")
    return Case._init_from_db(**found[0])


async def case_for_staff(case_id: int, staff: StaffPrincipal) -> Case:
    """A filed case the staff member sees (``StaffPrincipal.sees_department``); 404 otherwise.
    Drafts are the citizen's own business."""
    case = await Case.get_or_none(id=case_id)
    if case is None or case.status == S.draft or not staff.sees_department(case.department_id):
        raise NotFound("办件不存在", code="CASE_NOT_FOUND")
    return case


# what a list row shows (``summary``, its public progress and clock): a page decodes these
# columns only, not the form data and the rest of every case
SUMMARY_COLUMNS = (
    "c.id, c.number, c.item_name, c.status, c.channel, c.supervision_flag, c.submitted_at,"
    " c.created_at, c.accepted_at, c.decided_at, c.result_issued_at, c.fee_stage,"
    " c.promised_limit_days, c.legal_limit_days, c.department_id, c.person_id"
)
_MINE = (
    f"SELECT {SUMMARY_COLUMNS}, COUNT(*) OVER () AS total_rows FROM case_record c"  # noqa: S608 - fixed text
    " WHERE c.person_id = $1"
)
_MINE_COUNT = "SELECT COUNT(*) AS n FROM case_record c WHERE c.person_id = $1"


async def list_for_person(
    person_id: int, *, status: str | None = None, limit: int = 20, offset: int = 0
) -> tuple[list[Case], int]:
    """A page of a person's cases, newest first, and how many there are: one statement (the
    total rides along as a window count; a page past the end asks for it alone)."""
    where = " AND c.status = $2" if status else ""
    args: list[Any] = [person_id, *([status] if status else [])]
    n = len(args)
    found = await sql.rows(Case._meta.db, f"{_MINE}{where} ORDER BY c.id DESC"
                           f" LIMIT ${n + 1} OFFSET ${n + 2}", *args, limit, offset)
    if found:
        return [Case._init_from_db(**r) for r in found], int(found[0]["total_rows"])
    if not offset:
        return [], 0
    [count] = await sql.rows(Case._meta.db, _MINE_COUNT + where, *args)
    return [], int(count["n"])


def _clock(case: Case, pauses: list[ClockPause]) -> clocks.ClockView:
    return clocks.compute(
        accepted_at=case.accepted_at, decided_at=case.decided_at,
        promised_limit_days=case.promised_limit_days, legal_limit_days=case.legal_limit_days,
        pauses=[clocks.PauseSpan(p.kind, p.name, p.started_at, p.ended_at) for p in pauses],
    )


async def clock_now(case: Case, conn: BaseDBAsyncClient | None = None) -> clocks.ClockView:
    """The case's clock as it reads now (with its pauses read inside ``conn``)."""
    pauses = await ClockPause.filter(case_id=case.id).using_db(conn).order_by("id")
    return _clock(case, list(pauses))


async def with_clocks(cases: list[Case], *, any_pauses: bool = True
                      ) -> list[tuple[Case, clocks.ClockView]]:
    """Each case with its clock; ``any_pauses=False`` when the caller knows none of them has a
    clock pause (no second round trip)."""
    by_case: dict[int, list[ClockPause]] = defaultdict(list)
    if cases and any_pauses:
        for pause in await ClockPause.filter(case_id__in=[c.id for c in cases]).order_by("id"):
            by_case[pause.case_id].append(pause)
    return [(c, _clock(c, by_case[c.id])) for c in cases]


_QUEUE = (
    f"SELECT {SUMMARY_COLUMNS},"  # noqa: S608 - fixed text
    " EXISTS (SELECT 1 FROM case_clock_pause p WHERE p.case_id = c.id) AS has_pauses"
    " FROM case_record c WHERE c.department_id = $1 AND c.status <> $2"
)


async def department_queue(
    department_id: int, *, statuses: list[str] | None = None, colour: str | None = None,
    limit: int = 50, offset: int = 0,
) -> list[tuple[Case, clocks.ClockView]]:
    """A department's cases, oldest first. The colour is computed, so a colour filter looks at
    the running cases only (a finished case has no colour worth chasing)."""
    if colour:
        qs = Case.filter(department_id=department_id).exclude(status=S.draft)
        if statuses:
            qs = qs.filter(status__in=statuses)
        qs = qs.filter(status__in=list(RUNNING), accepted_at__isnull=False)
        rows = await with_clocks(await qs.order_by("accepted_at", "id"))
        return [r for r in rows if r[1].colour == colour][offset : offset + limit]
    # the plain page (the one a queue opens on): one statement, pauses only for cases with any
    args: list[Any] = [department_id, S.draft.value, *(statuses or [])]
    where = f" AND c.status IN ({sql.marks(len(statuses), start=3)})" if statuses else ""
    n = len(args)
    found = await sql.rows(Case._meta.db, f"{_QUEUE}{where} ORDER BY c.id"
                           f" LIMIT ${n + 1} OFFSET ${n + 2}", *args, limit, offset)
    cases = [Case._init_from_db(**r) for r in found]
    return await with_clocks(cases, any_pauses=any(r["has_pauses"] for r in found))


def summary(case: Case, view: clocks.ClockView | None = None) -> dict[str, Any]:
    out = {
        "id": case.id, "number": case.number, "item_name": case.item_name,
        "status": case.status.value if isinstance(case.status, S) else case.status,
        "status_label": STATUS_LABELS[CaseStatus(case.status)],
        "public_progress": public_progress(case), "channel": case.channel,
        "supervision_flag": case.supervision_flag,
        "submitted_at": clock.iso(case.submitted_at), "created_at": clock.iso(case.created_at),
    }
    if view is not None:
        out["clock"] = {"colour": view.colour, "days_used": view.days_used,
                        "promised_due": view.promised_due.isoformat() if view.promised_due
                        else None}
    return out


# The full view is read with plain SQL, each row made into its model the way tortoise's own
# executor does (``_init_from_db``): building the ORM statements took most of a case read's
# CPU, and every round trip costs about as much again. So one statement brings the case, its
# item version, the chain audit's verdict and whether it has materials, clock pauses and 补正
# notices at all; the newest page of the timeline is read next, and the lists it has.
# The read costs the same for 5 events as for 200: it carries the newest ``TIMELINE_PAGE``
# events (older ones page through ``timeline_page``) and does not re-hash the chain; the
# audit does (``app/cases/chain_audit.py``).
TIMELINE_PAGE = 20
_VIEW = (
    "SELECT c.*, v.version AS version_no, v.form_schema AS version_form_schema,"
    " v.materials AS version_materials, v.delivery_options AS version_delivery_options,"
    " i.code AS item_code, a.broken_seq AS chain_broken_seq,"
    " EXISTS (SELECT 1 FROM case_material m WHERE m.case_id = c.id) AS has_materials,"
    " EXISTS (SELECT 1 FROM case_clock_pause p WHERE p.case_id = c.id) AS has_pauses,"
    " EXISTS (SELECT 1 FROM supplement_notice n WHERE n.case_id = c.id) AS has_notices"
    " FROM case_record c JOIN service_item_version v ON v.id = c.item_version_id"
    " JOIN service_item i ON i.id = c.item_id"
    " LEFT JOIN case_chain_audit a ON a.case_id = c.id"
    " WHERE c.id = $1"
)
_VIEW_OF_PERSON = _VIEW + " AND c.person_id = $2"
# PostgreSQL brings the newest page of the timeline in the same statement (one round trip
# fewer for every read); SQLite reads it next (``_events_before``), where a round trip is a
# function call
_EVENT_COLUMNS = ("seq, actor_kind, actor_id, actor_name, from_status, to_status, reason, data,"
                  " at, hash")
_RECENT = (
    f" (SELECT json_agg(e ORDER BY e.seq) FROM (SELECT {_EVENT_COLUMNS} FROM case_event"  # noqa: S608 - fixed text
    f" WHERE case_id = c.id ORDER BY seq DESC LIMIT {TIMELINE_PAGE}) e) AS recent_events,"
)
_VIEW_PG = _VIEW.replace(" a.broken_seq AS chain_broken_seq,",
                         " a.broken_seq AS chain_broken_seq," + _RECENT)
_VIEW_OF_PERSON_PG = _VIEW_PG + " AND c.person_id = $2"
_EVENTS = (
    f"SELECT {_EVENT_COLUMNS} FROM case_event WHERE case_id = $1 AND seq < $2"  # noqa: S608 - fixed text
    " ORDER BY seq DESC LIMIT $3"
)
_MATERIALS = "SELECT * FROM case_material WHERE case_id = $1 ORDER BY id"
_PAUSES = "SELECT * FROM case_clock_pause WHERE case_id = $1 ORDER BY id"
_VERSION_FIELDS = ServiceItemVersion._meta.fields_map
_FORM_SCHEMA = _VERSION_FIELDS["form_schema"]


async def detail_for_person(case_id: int, person_id: int) -> dict[str, Any]:
    """The citizen's view of one of their own cases; 404 for anyone else's."""
    conn = Case._meta.db
    text = _VIEW_OF_PERSON_PG if sql.is_postgres(conn) else _VIEW_OF_PERSON
    found = await sql.rows(conn, text, case_id, person_id)
    if not found:
        raise NotFound("办件不存在", code="CASE_NOT_FOUND")
    return await _view(Case._init_from_db(**found[0]), found[0], staff=False)


async def detail(case: Case, *, staff: bool = False) -> dict[str, Any]:
    conn = Case._meta.db
    [row] = await sql.rows(conn, _VIEW_PG if sql.is_postgres(conn) else _VIEW, case.id)
    return await _view(case, row, staff=staff)


async def _of_case(model: type[M], text: str, case_id: int) -> list[M]:
    return [model._init_from_db(**r) for r in await sql.rows(Case._meta.db, text, case_id)]


async def _events_before(case_id: int, before_seq: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` events older than ``before_seq``, oldest first, as rows with ``data``
    and ``at`` decoded (no model objects: they cost more than the rest of a page's events)."""
    found = await sql.rows(Case._meta.db, _EVENTS, case_id, before_seq, limit)
    found.reverse()
    return _decoded(found)


def _decoded(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in events:
        if isinstance(row["data"], str):
            row["data"] = json.loads(row["data"])
        if isinstance(row["at"], str):  # SQLite and json_agg answer text (in UTC)
            at = datetime.fromisoformat(row["at"])
            row["at"] = at if at.tzinfo else at.replace(tzinfo=UTC)
    return events


async def timeline_page(case: Case, *, before_seq: int | None, limit: int, staff: bool
                        ) -> dict[str, Any]:
    """Older timeline events than ``before_seq`` (default: from the newest), oldest first."""
    events = await _events_before(case.id, before_seq or case.event_seq + 1, limit)
    return {"items": [_event_view(e, staff) for e in events
                      if staff or not (e["data"] or {}).get("internal")],
            "more": bool(events) and events[0]["seq"] > 1}


async def _view(case: Case, row: dict[str, Any], *, staff: bool) -> dict[str, Any]:
    if "recent_events" in row:  # PostgreSQL: in the same statement
        events = _decoded(json.loads(row["recent_events"] or "[]"))
    else:
        events = await _events_before(case.id, case.event_seq + 1, TIMELINE_PAGE)
    mats = await _of_case(Material, _MATERIALS, case.id) if row["has_materials"] else []
    pauses = await _of_case(ClockPause, _PAUSES, case.id) if row["has_pauses"] else []
    form_schema = _FORM_SCHEMA.to_python_value(row["version_form_schema"])
    out = summary(case)
    out.update(
        # what the application page renders: the form and materials of the version filed under
        item={"id": case.item_id, "code": row["item_code"], "version_id": case.item_version_id,
              "version": row["version_no"], "name": case.item_name,
              "form_schema": form_schema or {"fields": []},
              "materials": _VERSION_FIELDS["materials"].to_python_value(row["version_materials"]),
              "delivery_options": _VERSION_FIELDS["delivery_options"].to_python_value(
                  row["version_delivery_options"])},
        department_id=case.department_id, company_id=case.company_id,
        delivery=case.delivery, form=forms.masked(form_schema, case.form_data),
        fees={"stage": case.fee_stage, "total_fen": case.fee_total_fen,
              "paid_at": clock.iso(case.paid_at)},
        special_stage=case.special_stage, decision_reason=case.decision_reason,
        result_note=case.result_note,
        clock=_clock(case, pauses).as_dict(),
        materials=[materials.view(m) for m in mats],
        supplements=await supplement.view(case) if row["has_notices"] else [],
        timeline=[_event_view(e, staff) for e in events
                  if staff or not (e["data"] or {}).get("internal")],
        timeline_more=bool(events) and events[0]["seq"] > 1,
        timeline_intact=_intact(case, events, row["chain_broken_seq"]),
    )
    return out


def _intact(case: Case, events: list[dict[str, Any]], broken_seq: int | None) -> bool:
    """The last audit found the chain whole, and it ends where the case is: its newest links
    cannot be dropped, nor the case's status edited, without it showing at once. An edited
    event inside the chain shows once the audit has run (``app/cases/chain_audit.py``)."""
    if broken_seq is not None or not events:
        return False
    last = events[-1]
    return last["seq"] == case.event_seq and last["to_status"] == CaseStatus(case.status).value


_LABELS = {status.value: label for status, label in STATUS_LABELS.items()}
_WHO = {"citizen": "申请人", "system": "系统", "platform": "支付平台"}


def _event_view(e: dict[str, Any], staff: bool) -> dict[str, Any]:
    data = e["data"] or {}
    who = _WHO.get(e["actor_kind"])
    out: dict[str, Any] = {
        "seq": e["seq"], "at": clock.iso(e["at"]), "from": e["from_status"],
        "to": e["to_status"],
        "label": data.get("label") or _LABELS.get(e["to_status"], e["to_status"]),
        "reason": e["reason"],
        # citizens see the role, staff see who it was
        "actor": {"kind": e["actor_kind"],
                  "name": who or (e["actor_name"] if staff and e["actor_name"] else "工作人员")},
        "hash": e["hash"],
    }
    if staff:
        out["actor"]["id"] = e["actor_id"]
        out["data"] = e["data"]
    return out
