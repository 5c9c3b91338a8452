"""The Chinese working-day calendar: weekends, public holidays and 调休 make-up workdays.

``chinese_calendar`` knows the years the State Council has published. For other years the
settings override ``calendar_overrides`` ("2027-01-01:holiday,2027-02-07:workday") names the
exceptions and every other Monday–Friday is a working day. Overrides win over the package.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar


class WorkCalendar:
    def __init__(self, overrides: str = "") -> None:
        self.overrides = parse_overrides(overrides)

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:  # a year the package does not know yet
            return day.weekday() < 5

    def knows(self, year: int) -> bool:
        """Whether the calendar has real data for ``year`` (package or overrides)."""
        if any(d.year == year for d in self.overrides):
            return True
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (the start day itself does not count)."""
        day = start
        while n > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day

    def count_workdays(self, after: date, until: date) -> int:
        """Working days d with after < d <= until."""
        count = 0
        day = after + timedelta(days=1)
        while day <= until:
            if self.is_workday(day):
                count += 1
            day += timedelta(days=1)
        return count


def parse_overrides(text: str) -> dict[date, bool]:
    out: dict[date, bool] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        day, _, kind = part.partition(":")
        kind = kind.strip().lower()
        if kind not in ("holiday", "workday"):
            raise ValueError(f"calendar override {part!r}: expected <date>:holiday|workday")
        out[date.fromisoformat(day.strip())] = kind == "workday"
    return out


@lru_cache(maxsize=8)
def calendar_for(overrides: str) -> WorkCalendar:
    return WorkCalendar(overrides)


def get_calendar() -> WorkCalendar:
    from app.settings import get_settings

    return calendar_for(get_settings().calendar_overrides)
