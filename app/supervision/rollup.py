"""The daily rollup: one Asia/Shanghai day's recorded events summed per department and item.

``compute_day`` reads the day's case events (the timeline: every status change carries who,
when, from and to, and a decision carries the clock as it stood) and the other sources, and
adds them up in Python, the same way on both backends. ``roll_day`` replaces the day's rows and
marks the day final, in one transaction, so rolling a day again changes nothing. A background
job (one runner, under a lease) rolls each day once it has ended; ``python -m app
supervision-rollup`` rolls a range at once (a backfill).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction
from tqdm import tqdm

from app import clock, sql
from app.cases.clocks import PauseSpan, compute
from app.cli_args import past_date
from app.periodic import under_lease
from app.supervision.figures import COUNTERS, Counters
from models.cases import Case, CaseEvent, ClockPause
from models.supervision import DailyFigures, RolledDay

log = logging.getLogger("zsb.supervision")
Key = tuple[int, int]  # (department_id, item_id)
Day = dict[Key, Counters]
# a day is final this long after it ended (a transaction open across midnight has committed)
SETTLE = timedelta(minutes=10)
INTERVAL_SECONDS = 600
LEASE = "lease:supervision-rollup"
MAX_DAYS_PER_RUN = 62

_EVENTS = (
    "SELECT e.case_id, e.from_status, e.to_status, e.data, e.at, c.department_id, c.item_id,"
    " c.fee_total_fen, v.online_depth"
    " FROM case_event e JOIN case_record c ON c.id = e.case_id"
    " JOIN service_item_version v ON v.id = c.item_version_id"
    " WHERE e.at >= $1 AND e.at < $2 AND e.from_status IS NOT NULL"
    " AND e.from_status <> e.to_status"
    " AND e.to_status IN ('submitted', 'fee_due', 'accepted', 'refused', 'approved', 'denied',"
    " 'completed', 'withdrawn', 'supplement_requested', 'paid')"
)
_REFUNDS = (
    "SELECT r.amount_fen, c.department_id, c.item_id FROM payment_refund r"
    " JOIN payment_order o ON o.id = r.order_id JOIN case_record c ON c.id = o.case_id"
    " WHERE r.status = 'succeeded' AND r.finished_at >= $1 AND r.finished_at < $2"
)
_DATA = CaseEvent._meta.fields_map["data"]

Source = Callable[[BaseDBAsyncClient, datetime, datetime, Day], Awaitable[None]]


def bounds(day: date) -> tuple[datetime, datetime]:
    """The day's span (Asia/Shanghai midnight to midnight), in UTC."""
    start = clock.local_at(day, time(0))
    return start, start + timedelta(days=1)


def today() -> date:
    return clock.local(clock.now()).date()


def is_settled(day: date, now: datetime | None = None) -> bool:
    return (now or clock.now()) >= bounds(day)[1] + SETTLE


async def _case_events(conn: BaseDBAsyncClient, start: datetime, end: datetime, out: Day) -> None:
    undated: list[tuple[Counters, dict[str, Any]]] = []
    for r in await sql.rows(conn, _EVENTS, start, end):
        c = out[(int(r["department_id"]), int(r["item_id"]))]
        to, frm = r["to_status"], r["from_status"]
        if frm == "draft" and to in ("submitted", "fee_due"):
            c.received += 1
            c.received_online += r["online_depth"] == "不见面"
        elif to == "paid":
            c.fees_collected_fen += int(r["fee_total_fen"] or 0)
        elif to == "supplement_requested":
            data = _DATA.to_python_value(r["data"]) or {}
            c.supplemented += data.get("round") == 1
            c.second_supplements += bool(data.get("second"))
        elif to in ("accepted", "refused", "completed", "withdrawn"):
            setattr(c, to, getattr(c, to) + 1)
        if to in ("approved", "denied"):
            setattr(c, to, getattr(c, to) + 1)
            reading = (_DATA.to_python_value(r["data"]) or {}).get("clock")
            if reading is None:
                undated.append((c, r))
            else:
                _decided(c, reading)
    if undated:  # decisions recorded before their events carried the clock
        for c, reading in await _readings(conn, undated):
            _decided(c, reading)


def _decided(c: Counters, reading: dict[str, Any]) -> None:
    if reading.get("late"):
        c.decided_late += 1
    else:
        c.decided_on_time += 1
    c.days_used_sum += int(reading.get("days_used") or 0)
    c.days_promised_sum += int(reading.get("limit_days") or 0)


async def _readings(
    conn: BaseDBAsyncClient, undated: list[tuple[Counters, dict[str, Any]]]
) -> list[tuple[Counters, dict[str, Any]]]:
    ids = list({int(r["case_id"]) for _, r in undated})
    cases = {c.id: c for c in await Case.filter(id__in=ids).using_db(conn)}
    pauses: dict[int, list[PauseSpan]] = defaultdict(list)
    for p in await ClockPause.filter(case_id__in=ids).using_db(conn).order_by("id"):
        pauses[p.case_id].append(PauseSpan(p.kind, p.name, p.started_at, p.ended_at))
    out = []
    for counters, r in undated:
        case = cases.get(int(r["case_id"]))
        if case is None or case.accepted_at is None:
            continue
        at = r["at"] if isinstance(r["at"], datetime) else CaseEvent._meta.fields_map[
            "at"].to_python_value(r["at"])
        view = compute(accepted_at=case.accepted_at, decided_at=at,
                       promised_limit_days=case.promised_limit_days,
                       legal_limit_days=case.legal_limit_days, pauses=pauses[case.id], now=at)
        out.append((counters, {"days_used": view.days_used, "late": view.colour == "red",
                               "limit_days": case.promised_limit_days or case.legal_limit_days}))
    return out


async def _refunds(conn: BaseDBAsyncClient, start: datetime, end: datetime, out: Day) -> None:
    for r in await sql.rows(conn, _REFUNDS, start, end):
        out[(int(r["department_id"]), int(r["item_id"]))].fees_refunded_fen += int(r["amount_fen"])


# a rating counts on the day it was given, at the level it has when its day is rolled up; one
# an upheld 申诉 excluded is never counted (app.ratings)
_RATINGS = (
    "SELECT department_id, item_id, level FROM rating"
    " WHERE NOT excluded AND created_at >= $1 AND created_at < $2"
)
_COMPLAINTS = (
    "SELECT department_id, item_id FROM ticket WHERE type = 'complaint'"
    " AND department_id IS NOT NULL AND created_at >= $1 AND created_at < $2"
)


async def _ratings(conn: BaseDBAsyncClient, start: datetime, end: datetime, out: Day) -> None:
    for r in await sql.rows(conn, _RATINGS, start, end):
        c = out[(int(r["department_id"]), int(r["item_id"] or 0))]
        c.ratings += 1
        c.rating_level_sum += int(r["level"])
        c.ratings_bad += int(r["level"]) <= 2  # 差评: 非常不满意, 不满意


async def _complaints(conn: BaseDBAsyncClient, start: datetime, end: datetime, out: Day) -> None:
    for r in await sql.rows(conn, _COMPLAINTS, start, end):
        out[(int(r["department_id"]), int(r["item_id"] or 0))].complaints += 1


# What a day adds up: the case timeline, refunds, 好差评 ratings and 12345 complaints.
SOURCES: list[Source] = [_case_events, _refunds, _ratings, _complaints]


async def compute_day(day: date, conn: BaseDBAsyncClient | None = None) -> Day:
    conn = conn or Case._meta.db
    # in UTC: SQLite compares the stored UTC text, so the bounds must be written alike
    start, end = bounds(day)
    out: Day = defaultdict(Counters)
    for source in SOURCES:
        await source(conn, start, end, out)
    return {k: v for k, v in out.items() if not v.empty()}


_COLUMNS = [("day", "date"), ("department_id", "int"), ("item_id", "int")] + [
    (name, "bigint" if name.endswith("_fen") else "int") for name in COUNTERS]


async def roll_day(day: date) -> int:
    """Replace the day's rows and mark it final; answer how many rows it has."""
    async with in_transaction() as conn:
        figures = await compute_day(day, conn)
        await DailyFigures.filter(day=day).using_db(conn).delete()
        rows = [[day, dept, item, *(getattr(c, n) for n in COUNTERS)]
                for (dept, item), c in sorted(figures.items())]
        for i in range(0, len(rows), 500):
            await sql.insert_batch(conn, "supervision_daily", _COLUMNS, rows[i: i + 500])
        await RolledDay.update_or_create(
            day=day, defaults={"rows": len(rows), "rolled_at": clock.now()}, using_db=conn)
    return len(rows)


async def roll_pending(now: datetime | None = None, limit: int = MAX_DAYS_PER_RUN) -> int:
    """Roll the settled days not yet final, oldest first, from the first day with events."""
    now = now or clock.now()
    first = await CaseEvent.all().order_by("at").first().values_list("at", flat=True)
    if first is None:
        return 0
    day = clock.local(first).date()  # type: ignore[arg-type]
    last_final = await RolledDay.all().order_by("-day").first().values_list("day", flat=True)
    if last_final is not None:
        day = max(day, _as_date(last_final) + timedelta(days=1))
    done = 0
    while done < limit and is_settled(day, now):
        await roll_day(day)
        day += timedelta(days=1)
        done += 1
    return done


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def run(app: Any) -> None:
    """Background task (``app/wiring.py``): the lease holder rolls the settled days."""
    await under_lease(app, lease=LEASE, interval=INTERVAL_SECONDS, job=_roll_and_log,
                      name="supervision rollup")


async def _roll_and_log() -> None:
    if days := await roll_pending():
        log.info("supervision days rolled up", extra={"count": days})


def main(argv: list[str]) -> int:
    """``python -m app supervision-rollup [--from D] [--to D]``: roll a range of settled days
    (default: every day not rolled yet)."""
    parser = argparse.ArgumentParser(prog="python -m app supervision-rollup")
    parser.add_argument("--from", dest="start", type=past_date, help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="end", type=past_date, help="last day (default yesterday)")
    args = parser.parse_args(argv)
    if args.end is not None and args.start is None:
        parser.error("--to needs --from")
    if args.start and args.end and args.end < args.start:
        parser.error(f"--to {args.end} is before --from {args.start}")

    async def go() -> int:
        from app.context import opened

        async with opened():
            if args.start is None:
                return await roll_pending(limit=100_000)
            day, end, count = args.start, args.end or today() - timedelta(days=1), 0
            with tqdm(total=(end - day).days + 1, desc="supervision days", unit="day") as bar:
                while day <= end and is_settled(day):
                    await roll_day(day)
                    day, count = day + timedelta(days=1), count + 1
                    bar.update()
            return count

    print(f"{asyncio.run(go())} days rolled up")
    return 0
