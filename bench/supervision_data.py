"""A generated data set for the supervision figures: departments, items, and cases with the
timeline events their handling would have written (filed, 补正, 受理 or 不予受理, decided on
time or late with the clock reading, paid, 办结, withdrawn), spread over a range of days.

Written straight into the tables in batches (``app.sql.insert_batch``), far faster than the
API could file them; the events carry no SM3 chain (``timeline_intact`` is false for these
cases), which the figures never read. Used by ``bench/bench_supervision.py`` (a million cases)
and by the figures' tests (a few hundred, checked against a plain count).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from app import clock, sql
from app.cases.workdays import get_calendar
from models.catalogue import ServiceItem, ServiceItemVersion
from models.core import Department

HASH = "0" * 64
_CASE_COLUMNS = [
    ("id", "int"), ("number", "text"), ("person_id", "int"), ("item_id", "int"),
    ("item_version_id", "int"), ("item_name", "text"), ("department_id", "int"),
    ("channel", "text"), ("form_data", "jsonb"), ("status", "text"), ("delivery", "text"),
    ("fee_stage", "text"), ("fee_total_fen", "int"), ("supervision_flag", "bool"),
    ("promised_limit_days", "int"), ("legal_limit_days", "int"), ("submitted_at", "timestamptz"),
    ("accepted_at", "timestamptz"), ("decided_at", "timestamptz"),
    ("completed_at", "timestamptz"), ("clock_alert", "text"), ("event_seq", "int"),
    ("created_at", "timestamptz"), ("updated_at", "timestamptz"),
]
_EVENT_COLUMNS = [
    ("case_id", "int"), ("seq", "int"), ("actor_kind", "text"), ("actor_id", "text"),
    ("from_status", "text"), ("to_status", "text"), ("data", "jsonb"), ("at", "timestamptz"),
    ("prev_hash", "text"), ("hash", "text"),
]


@dataclass
class Plan:
    cases: int
    end: date  # the last day cases are filed on
    days: int = 365
    departments: int = 12
    items_per_department: int = 8
    seed: int = 14
    tag: str = "SV"  # department codes start with it


@dataclass
class Generated:
    department_ids: list[int]
    item_ids: list[int]
    cases: int = 0
    events: int = 0
    first_case_id: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


async def _catalogue(
    plan: Plan, rng: random.Random
) -> tuple[list[Department], list[dict[str, Any]]]:
    depts, items = [], []
    for d in range(plan.departments):
        dept, _ = await Department.get_or_create(
            code=f"{plan.tag}{d:02d}", defaults={"name": f"监察样本部门{d + 1:02d}"})
        depts.append(dept)
        for i in range(plan.items_per_department):
            code = f"{plan.tag}{d:02d}-{i:02d}"
            item, _ = await ServiceItem.get_or_create(
                code=code, defaults={"basic_code": code, "department_id": dept.id})
            promised = rng.choice([1, 3, 5, 10, 15])
            version = await ServiceItemVersion.filter(item_id=item.id).first()
            if version is None:
                version = await ServiceItemVersion.create(
                    item_id=item.id, version=1, name=f"样本事项{d + 1:02d}-{i + 1:02d}",
                    item_type="行政许可", legal_limit_days=20, promised_limit_days=promised,
                    online_depth=rng.choice(["不见面", "不见面", "见一次面"]))
                item.published_version_id, item.published = version.id, True
                await item.save()
            fee = rng.choice([0, 0, 0, 2000, 5000])
            items.append({"id": item.id, "version_id": version.id, "name": version.name,
                          "department_id": dept.id, "promised": version.promised_limit_days,
                          "legal": version.legal_limit_days, "fee": fee})
    return depts, items


async def _persons(conn: BaseDBAsyncClient, count: int) -> list[int]:
    now = clock.now()
    rows = await sql.insert_batch(
        conn, "person", [("status", "text"), ("realname_level", "int"),
                         ("created_at", "timestamptz"), ("updated_at", "timestamptz")],
        [("active", 1, now, now)] * count, "RETURNING id")
    return [int(r["id"]) for r in rows]


class _Days:
    """Working-day arithmetic, remembered: the generator asks the same questions a million
    times."""

    def __init__(self) -> None:
        self.cal = get_calendar()
        self._add: dict[tuple[date, int], date] = {}

    def add(self, day: date, workdays: int) -> date:
        key = (day, workdays)
        if key not in self._add:
            self._add[key] = self.cal.add_workdays(day, workdays)
        return self._add[key]


def _at(day: date, rng: random.Random) -> datetime:
    """A moment of office hours on ``day`` (Asia/Shanghai), in UTC."""
    local = datetime.combine(day, time(9), tzinfo=clock.SHANGHAI) + timedelta(
        seconds=rng.randrange(8 * 3600))
    return local.astimezone(UTC)


def _case(cid: int, item: dict[str, Any], person: int, filed: datetime, now: datetime,
          rng: random.Random, days: _Days) -> tuple[list[Any], list[list[Any]], str]:
    """One case's row, its events and what became of it."""
    events: list[list[Any]] = []

    def event(frm: str, to: str, at: datetime, data: dict[str, Any] | None = None) -> None:
        events.append([cid, len(events) + 1, "staff", "gen", frm, to, sql.dumps(data or {}),
                       at, HASH, HASH])

    status, accepted_at, decided_at, completed_at, alert = "submitted", None, None, None, ""
    event("draft", "submitted", filed)
    at = filed
    fate = rng.random()
    if fate < 0.22:  # 补正 before 受理, answered two days later (a few need a second one)
        at = at + timedelta(hours=rng.randrange(2, 30))
        event("submitted", "supplement_requested", at, {"round": 1, "second": False})
        at = at + timedelta(days=2)
        event("supplement_requested", "resubmitted", at)
        if fate < 0.02:
            event("resubmitted", "supplement_requested", at + timedelta(hours=3),
                  {"round": 2, "second": True})
            at = at + timedelta(days=1)
            event("supplement_requested", "resubmitted", at)
        status = "resubmitted"
    if at > now:
        return _row(cid, item, person, filed, status, None, None, None, "", len(events)), \
            events, "waiting"
    frm, refuse = status, rng.random()
    at = at + timedelta(hours=rng.randrange(1, 20))
    if refuse < 0.05:
        event(frm, "refused", at)
        return _row(cid, item, person, filed, "refused", None, at, None, "", len(events)), \
            events, "refused"
    if refuse < 0.08:
        event(frm, "withdrawn", at)
        return _row(cid, item, person, filed, "withdrawn", None, None, None, "", len(events)), \
            events, "withdrawn"
    if at > now:
        return _row(cid, item, person, filed, status, None, None, None, "", len(events)), \
            events, "waiting"
    event(frm, "accepted", at)
    accepted_at = at
    limit = item["promised"] or item["legal"]
    used = rng.choice(range(0, limit + 1)) if rng.random() < 0.9 else limit + rng.randrange(1, 6)
    decided = max(datetime.combine(days.add(clock.local(at).date(), used), time(15),
                                   tzinfo=clock.SHANGHAI).astimezone(UTC),
                  at + timedelta(minutes=30))
    if decided > now:  # still running: overdue now if its days are up
        running_used = days.cal.count_workdays(clock.local(at).date(), clock.local(now).date())
        alert = "red" if running_used > limit else ""
        return _row(cid, item, person, filed, "accepted", accepted_at, None, None, alert,
                    len(events)), events, "running"
    to = "approved" if rng.random() < 0.9 else "denied"
    event("accepted", to, decided, {"clock": {"days_used": used, "limit_days": limit,
                                              "late": used > limit}})
    decided_at, at, status = decided, decided, to
    if to == "approved" and item["fee"]:
        event("approved", "fee_due", at, {"amount_fen": item["fee"]})
        at = at + timedelta(hours=rng.randrange(1, 48))
        if at > now:
            return _row(cid, item, person, filed, "fee_due", accepted_at, decided_at, None, "",
                        len(events)), events, "fee_due"
        event("fee_due", "paid", at)
        event("paid", "result_issued", at + timedelta(hours=2))
        frm, status = "result_issued", "result_issued"
    elif to == "approved":
        event("approved", "result_issued", at + timedelta(hours=1))
        frm, status = "result_issued", "result_issued"
    else:
        frm = "denied"
    done = at + timedelta(days=rng.randrange(0, 3), hours=3)
    if done <= now:
        event(frm, "completed", done)
        completed_at, status = done, "completed"
    return _row(cid, item, person, filed, status, accepted_at, decided_at, completed_at, "",
                len(events)), events, status


def _row(cid: int, item: dict[str, Any], person: int, filed: datetime, status: str,
         accepted_at: datetime | None, decided_at: datetime | None,
         completed_at: datetime | None, alert: str, seq: int) -> list[Any]:
    return [cid, f"GEN{cid:012d}", person, item["id"], item["version_id"], item["name"],
            item["department_id"], "app", "{}", status, "window",
            "approval" if item["fee"] else None, item["fee"], False, item["promised"],
            item["legal"], filed, accepted_at, decided_at, completed_at, alert, seq, filed,
            completed_at or decided_at or filed]


async def generate(conn: BaseDBAsyncClient, plan: Plan, *, batch: int = 5000,
                   progress: Any = None) -> Generated:
    rng = random.Random(plan.seed)
    depts, items = await _catalogue(plan, rng)
    persons = await _persons(conn, min(max(plan.cases // 20, 10), 20_000))
    [top] = await sql.rows(conn, "SELECT COALESCE(MAX(id), 0) AS id FROM case_record")
    first = int(top["id"]) + 1
    out = Generated([d.id for d in depts], [i["id"] for i in items], first_case_id=first)
    now, days = clock.now(), _Days()
    start = plan.end - timedelta(days=plan.days - 1)
    case_rows: list[list[Any]] = []
    event_rows: list[list[Any]] = []
    for n in range(plan.cases):
        day = start + timedelta(days=rng.randrange(plan.days))
        row, events, fate = _case(first + n, rng.choice(items), rng.choice(persons),
                                  _at(day, rng), now, rng, days)
        case_rows.append(row)
        event_rows += events
        out.outcomes[fate] = out.outcomes.get(fate, 0) + 1
        if len(case_rows) >= batch:
            await _flush(conn, case_rows, event_rows, out)
            if progress:
                progress(out.cases)
    await _flush(conn, case_rows, event_rows, out)
    if sql.is_postgres(conn):  # explicit ids were written: move the sequence past them
        await sql.rows(conn, "SELECT setval(pg_get_serial_sequence('case_record', 'id'),"
                             " (SELECT MAX(id) FROM case_record))")
    return out


async def _flush(conn: BaseDBAsyncClient, cases: list[list[Any]], events: list[list[Any]],
                 out: Generated) -> None:
    # SQLite binds at most 32,766 values a statement: VALUES lists stay under it
    step = 1000 if not sql.is_postgres(conn) else 10_000
    for i in range(0, len(cases), step // 10):
        await sql.insert_batch(conn, "case_record", _CASE_COLUMNS, cases[i: i + step // 10])
    for i in range(0, len(events), step // 4):
        await sql.insert_batch(conn, "case_event", _EVENT_COLUMNS, events[i: i + step // 4])
    out.cases += len(cases)
    out.events += len(events)
    cases.clear()
    events.clear()
