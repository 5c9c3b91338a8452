"""Reading the supervision figures over a date range: the final days from the rollup (one
``SUM`` over its rows), the days not final yet (today, or a day the job has not reached)
worked out from their events at once, so an answer always covers every day asked for.

Scope: supervisors and admins see every department (``StaffPrincipal.supervision_scope``);
anyone else their own, and another department answers 404.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any, Literal

from app import clock, sql
from app.cases.queries import RUNNING
from app.errors import NotFound, ValidationFailed
from app.staff import StaffPrincipal
from app.supervision.figures import COUNTERS, Counters, derive
from app.supervision.rollup import Key, compute_day, today
from models.cases import Case

By = Literal["department", "item"]
MAX_DAYS = 732

_SUMS = ", ".join(f"SUM({n}) AS {n}" for n in COUNTERS)
_SUMMED = (f"SELECT department_id, item_id, {_SUMS} FROM supervision_daily"  # noqa: S608 - column names are constants
           " WHERE day >= $1 AND day <= $2{dept} GROUP BY department_id, item_id")
_BY_DAY = (f"SELECT day, {_SUMS} FROM supervision_daily"  # noqa: S608 - column names are constants
           " WHERE day >= $1 AND day <= $2{dept} GROUP BY day")
_FINAL = "SELECT day FROM supervision_rolled_day WHERE day >= $1 AND day <= $2"
_RUNNING = ", ".join(f"'{s.value}'" for s in RUNNING)
_OVERDUE = ("SELECT department_id, item_id, COUNT(*) AS n FROM case_record"  # noqa: S608 - statuses are constants
            f" WHERE status IN ({_RUNNING}) AND clock_alert = 'red' AND decided_at IS NULL"
            "{dept} GROUP BY department_id, item_id")


def check_range(start: date, end: date) -> None:
    if end < start:
        raise ValidationFailed("结束日期不能早于开始日期", fields={"to": "早于开始日期"})
    if (end - start).days >= MAX_DAYS:
        raise ValidationFailed("日期范围不能超过两年", fields={"from": "范围过大"})


def scoped_department(staff: StaffPrincipal, department_id: int | None) -> int | None:
    scope = staff.supervision_scope
    if scope is None:
        return department_id
    if department_id not in (None, scope):
        raise NotFound("部门不存在", code="DEPARTMENT_NOT_FOUND")
    return scope


def _text(template: str, department_id: int | None, position: int) -> str:
    return template.replace("{dept}", f" AND department_id = ${position}"
                            if department_id is not None else "")


async def _final_days(start: date, end: date) -> set[date]:
    rows = await sql.rows(Case._meta.db, _FINAL, start, end)
    return {r["day"] if isinstance(r["day"], date) else date.fromisoformat(r["day"])
            for r in rows}


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


async def summed(
    start: date, end: date, department_id: int | None
) -> tuple[dict[Key, Counters], int, int]:
    """Counters per (department, item) over the range; and how many days came from the rollup
    and how many were worked out from their events."""
    db = Case._meta.db
    args: list[Any] = [start, end] + ([department_id] if department_id is not None else [])
    out: dict[Key, Counters] = defaultdict(Counters)
    for r in await sql.rows(db, _text(_SUMMED, department_id, 3), *args):
        out[(int(r["department_id"]), int(r["item_id"]))].add(r)
    final = await _final_days(start, end)
    live = [d for d in _days(start, end) if d not in final and d <= today()]
    for day in live:
        for key, counters in (await compute_day(day)).items():
            if department_id is None or key[0] == department_id:
                out[key].add(counters)
    return dict(out), len(final), len(live)


async def overdue_now(department_id: int | None) -> dict[Key, int]:
    args = [department_id] if department_id is not None else []
    rows = await sql.rows(Case._meta.db, _text(_OVERDUE, department_id, 1), *args)
    return {(int(r["department_id"]), int(r["item_id"])): int(r["n"]) for r in rows}


async def _names(keys: set[Key]) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
    db = Case._meta.db
    depts = {int(r["id"]): r for r in await sql.rows(db, "SELECT id, code, name FROM department")}
    item_ids = sorted({k[1] for k in keys})
    items: dict[int, dict[str, Any]] = {}
    if item_ids:
        rows = await sql.rows(
            db, "SELECT i.id, i.code, v.name FROM service_item i LEFT JOIN service_item_version v"  # noqa: S608 - placeholders only
            f" ON v.id = i.published_version_id WHERE i.id IN ({sql.marks(len(item_ids))})",
            *item_ids)
        items = {int(r["id"]): r for r in rows}
    return depts, items


async def figures(
    staff: StaffPrincipal, *, start: date, end: date, by: By = "department",
    department_id: int | None = None,
) -> dict[str, Any]:
    check_range(start, end)
    department_id = scoped_department(staff, department_id)
    per_key, final_days, live_days = await summed(start, end, department_id)
    overdue = await overdue_now(department_id)
    includes_today = start <= today() <= end
    grouped: dict[Key, Counters] = defaultdict(Counters)
    late_now: dict[Key, int] = defaultdict(int)
    for key in set(per_key) | set(overdue):
        row_key = key if by == "item" else (key[0], 0)
        if key in per_key:
            grouped[row_key].add(per_key[key])
        late_now[row_key] += overdue.get(key, 0)
    depts, items = await _names(set(per_key) | set(overdue))
    rows = []
    for (dept, item), counters in sorted(grouped.items()):
        d = depts.get(dept, {})
        row: dict[str, Any] = {"department_id": dept, "department_code": d.get("code"),
                               "department_name": d.get("name")}
        if by == "item":
            i = items.get(item, {})
            row |= {"item_id": item, "item_code": i.get("code"),
                    "item_name": i.get("name") or ("未关联事项" if item == 0 else None)}
        rows.append({**row, **derive(counters, overdue_now=late_now[(dept, item)],
                                     includes_today=includes_today)})
    total = Counters()
    for counters in grouped.values():
        total.add(counters)
    return {
        "start": start.isoformat(), "end": end.isoformat(), "by": by,
        "department_id": department_id, "generated_at": clock.iso(clock.now()),
        "final_days": final_days, "live_days": live_days,
        "rows": rows,
        "totals": derive(total, overdue_now=sum(late_now.values()),
                         includes_today=includes_today),
    }


async def series(
    staff: StaffPrincipal, *, start: date, end: date, department_id: int | None = None
) -> dict[str, Any]:
    """Day by day totals over the range (for the dashboard's chart)."""
    check_range(start, end)
    department_id = scoped_department(staff, department_id)
    args: list[Any] = [start, end] + ([department_id] if department_id is not None else [])
    by_day: dict[date, Counters] = defaultdict(Counters)
    for r in await sql.rows(Case._meta.db, _text(_BY_DAY, department_id, 3), *args):
        day = r["day"] if isinstance(r["day"], date) else date.fromisoformat(r["day"])
        by_day[day].add(r)
    final = await _final_days(start, end)
    for day in _days(start, end):
        if day not in final and day <= today():
            for key, counters in (await compute_day(day)).items():
                if department_id is None or key[0] == department_id:
                    by_day[day].add(counters)
    return {"start": start.isoformat(), "end": end.isoformat(), "department_id": department_id,
            "days": [{"day": d.isoformat(), **by_day[d].as_dict()} for d in _days(start, end)]}
