"""The working-day calendar (with 调休) and the clock arithmetic — pure, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.cases.clocks import PauseSpan, compute
from app.cases.workdays import WorkCalendar, parse_overrides

CAL = WorkCalendar()


def sh(day: str, hour: int = 10) -> datetime:
    """A Shanghai wall-clock time on ``day`` as aware UTC."""
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hour - 8 if hour >= 8 else 0, tzinfo=UTC)


def test_holidays_and_make_up_days_2026() -> None:
    assert not CAL.is_workday(date(2026, 10, 1))  # 国庆
    assert not CAL.is_workday(date(2026, 9, 25))  # 中秋
    assert CAL.is_workday(date(2026, 10, 10))  # Saturday 调休 workday
    assert CAL.is_workday(date(2026, 9, 20))  # Sunday 调休 workday
    assert not CAL.is_workday(date(2026, 9, 27))  # plain Sunday


def test_add_workdays_crosses_national_day() -> None:
    # 29, 30 Sep; 8, 9 Oct; Saturday 10 Oct is a make-up workday
    assert CAL.add_workdays(date(2026, 9, 28), 5) == date(2026, 10, 10)
    assert CAL.count_workdays(date(2026, 9, 28), date(2026, 10, 10)) == 5


def test_unknown_year_uses_weekdays_and_overrides() -> None:
    cal = WorkCalendar("2027-01-01:holiday,2027-02-06:workday")
    assert cal.knows(2027) and not WorkCalendar().knows(2027)
    assert not cal.is_workday(date(2027, 1, 1))  # a Friday, overridden
    assert cal.is_workday(date(2027, 2, 6))  # a Saturday, overridden
    assert cal.is_workday(date(2027, 3, 1))  # a Monday, no data: weekday rule
    assert not WorkCalendar().is_workday(date(2027, 3, 6))  # a Saturday
    # overrides also win over the package's data
    assert WorkCalendar("2026-10-08:holiday").is_workday(date(2026, 10, 8)) is False


def test_bad_override_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_overrides("2027-01-01:vacation")


def test_clock_not_started_before_acceptance() -> None:
    view = compute(accepted_at=None, decided_at=None, promised_limit_days=5,
                   legal_limit_days=20, pauses=[], now=sh("2026-09-28"), cal=CAL)
    assert not view.started and view.colour == "green" and "尚未受理" in view.explanation


def test_clock_green_yellow_red() -> None:
    kw = dict(accepted_at=sh("2026-09-28"), decided_at=None, promised_limit_days=5,
              legal_limit_days=20, pauses=[], cal=CAL)
    view = compute(now=sh("2026-09-30"), **kw)
    assert (view.days_used, view.colour) == (2, "green")
    assert view.promised_due == date(2026, 10, 10)
    assert view.legal_due == CAL.add_workdays(date(2026, 9, 28), 20)
    assert compute(now=sh("2026-10-09"), **kw).colour == "yellow"  # 4 of 5 = 80 %
    assert compute(now=sh("2026-10-10"), **kw).colour == "yellow"  # 5 of 5, due today
    late = compute(now=sh("2026-10-12"), **kw)
    assert (late.days_used, late.colour) == (6, "red")
    assert "已超期" in late.explanation


def test_pause_extends_due_date_and_is_explained() -> None:
    pause = PauseSpan("supplement", "", sh("2026-09-29"), sh("2026-10-08"))
    view = compute(accepted_at=sh("2026-09-28"), decided_at=None, promised_limit_days=5,
                   legal_limit_days=20, pauses=[pause], now=sh("2026-10-09"), cal=CAL)
    # 30 Sep and 8 Oct are paused (the day the 补正 was asked still counts)
    assert (view.elapsed_workdays, view.paused_workdays, view.days_used) == (4, 2, 2)
    assert view.promised_due == date(2026, 10, 13)
    assert "补正期间2个工作日" in view.explanation and "顺延" in view.explanation


def test_open_pause_counts_until_today_and_clock_stops_at_decision() -> None:
    open_pause = PauseSpan("special_stage", "专家评审", sh("2026-10-09"), None)
    view = compute(accepted_at=sh("2026-09-28"), decided_at=None, promised_limit_days=5,
                   legal_limit_days=20, pauses=[open_pause], now=sh("2026-10-13"), cal=CAL)
    assert view.paused and view.paused_workdays == 3 and view.days_used == 4
    done = compute(accepted_at=sh("2026-09-28"), decided_at=sh("2026-09-30"),
                   promised_limit_days=5, legal_limit_days=20, pauses=[],
                   now=sh("2026-11-30"), cal=CAL)
    assert not done.running and done.days_used == 2 and done.colour == "green"
    assert "计时停止" in done.explanation
