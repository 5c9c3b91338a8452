"""The case clock: due dates, working days used, colour and the arithmetic spelled out.

Rules (行政许可法 第四十二条, 第四十五条): the limit counts in working days from the day after
受理; it stops at the decision; a day on which a 补正 is outstanding or a special stage that does
not count is running is taken off (a pause from day P to day Q takes off the working days
after P up to and including Q). Days are Asia/Shanghai calendar days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from app import clock
from app.cases.workdays import WorkCalendar, get_calendar

Colour = Literal["green", "yellow", "red"]
PAUSE_LABELS = {"supplement": "补正期间", "special_stage": "特别程序"}


@dataclass
class PauseSpan:
    kind: str
    name: str
    started_at: datetime
    ended_at: datetime | None


@dataclass
class ClockView:
    started: bool
    running: bool
    paused: bool
    start_date: date | None = None
    promised_limit_days: int = 0
    legal_limit_days: int = 0
    elapsed_workdays: int = 0
    paused_workdays: int = 0
    days_used: int = 0
    days_left: int = 0
    promised_due: date | None = None
    legal_due: date | None = None
    colour: Colour = "green"
    explanation: str = ""
    pauses: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("start_date", "promised_due", "legal_due"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


def _paused_days(
    spans: Iterable[PauseSpan], start: date, end: date, cal: WorkCalendar
) -> tuple[set[date], list[dict[str, Any]]]:
    days: set[date] = set()
    described: list[dict[str, Any]] = []
    for span in spans:
        p_from = clock.local(span.started_at).date()
        p_to = clock.local(span.ended_at).date() if span.ended_at else end
        own = {
            p_from + timedelta(days=i)
            for i in range(1, (min(p_to, end) - p_from).days + 1)
            if p_from + timedelta(days=i) > start and cal.is_workday(p_from + timedelta(days=i))
        }
        days |= own
        described.append(
            {"kind": span.kind, "name": span.name or PAUSE_LABELS.get(span.kind, span.kind),
             "from": p_from.isoformat(), "to": p_to.isoformat() if span.ended_at else None,
             "workdays": len(own)}
        )
    return days, described


def _due(start: date, limit: int, skip: set[date], cal: WorkCalendar) -> date:
    if not skip:
        return cal.add_workdays(start, limit)
    day, left = start, limit
    while left > 0:
        day += timedelta(days=1)
        if cal.is_workday(day) and day not in skip:
            left -= 1
    return day


def _colour(used: int, limit: int) -> Colour:
    if used > limit:
        return "red"
    if limit > 0 and used * 10 >= limit * 8:
        return "yellow"
    return "green"


def compute(
    *,
    accepted_at: datetime | None,
    decided_at: datetime | None,
    promised_limit_days: int,
    legal_limit_days: int,
    pauses: Iterable[PauseSpan],
    now: datetime | None = None,
    cal: WorkCalendar | None = None,
) -> ClockView:
    cal = cal or get_calendar()
    now = now or clock.now()
    spans = list(pauses)
    paused_now = any(s.ended_at is None for s in spans)
    if accepted_at is None:
        return ClockView(
            started=False, running=False, paused=paused_now,
            promised_limit_days=promised_limit_days, legal_limit_days=legal_limit_days,
            days_left=promised_limit_days,
            explanation=f"尚未受理。承诺时限{promised_limit_days}个工作日、法定时限"
            f"{legal_limit_days}个工作日，自受理次日起计算。",
        )
    start = clock.local(accepted_at).date()
    end = clock.local(decided_at or now).date()
    skip, described = _paused_days(spans, start, end, cal)
    elapsed = cal.count_workdays(start, end)
    used = elapsed - len(skip)
    limit = promised_limit_days or legal_limit_days
    view = ClockView(
        started=True, running=decided_at is None, paused=paused_now and decided_at is None,
        start_date=start, promised_limit_days=promised_limit_days,
        legal_limit_days=legal_limit_days, elapsed_workdays=elapsed, paused_workdays=len(skip),
        days_used=used, days_left=max(limit - used, 0),
        promised_due=_due(start, promised_limit_days, skip, cal),
        legal_due=_due(start, legal_limit_days, skip, cal),
        colour=_colour(used, limit), pauses=described,
    )
    view.explanation = _explain(view, end, decided_at is not None)
    return view


def _explain(v: ClockView, end: date, stopped: bool) -> str:
    parts = [
        f"{v.start_date:%Y年%m月%d日}受理，时限自次日起按工作日计算（节假日不计，调休上班日计入）。",
        f"截至{end:%Y年%m月%d日}{'（已作出决定，计时停止）' if stopped else ''}"
        f"共经过{v.elapsed_workdays}个工作日",
    ]
    if v.paused_workdays:
        detail = "、".join(f"{p['name']}{p['workdays']}个工作日" for p in v.pauses if p["workdays"])
        parts.append(f"，扣除暂停计时的{v.paused_workdays}个工作日（{detail}）")
    parts.append(f"，已用{v.days_used}个工作日。")
    parts.append(
        f"承诺时限{v.promised_limit_days}个工作日，截止{v.promised_due:%Y年%m月%d日}；"
        f"法定时限{v.legal_limit_days}个工作日，截止{v.legal_due:%Y年%m月%d日}"
    )
    if v.paused_workdays:
        parts.append("（已按暂停天数顺延）")
    parts.append("。")
    limit = v.promised_limit_days or v.legal_limit_days
    parts.append(
        {"green": "状态：正常。", "yellow": f"状态：预警（已用时限的{_pct(v.days_used, limit)}）。",
         "red": "状态：已超期。"}[v.colour]
    )
    return "".join(parts)


def _pct(used: int, limit: int) -> str:
    return f"{used * 100 // limit}%" if limit else "100%"
