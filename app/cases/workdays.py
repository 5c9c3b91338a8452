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
        # each day's answer, remembered: a queue page computes 50 clocks over months of days,
        # and the package's look-up cost ~100 µs a day, most of a department queue's time
        self._known: dict[date, bool] = {}
        self._years: dict[int, list[int]] = {}
        self._added: dict[tuple[date, int], date] = {}

    def is_workday(self, day: date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._look_up(day)
        return known

    def _look_up(self, day: date) -> bool:
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
        """The n-th working day after ``start`` (the start day itself does not count);
        remembered, as a queue page asks it twice for each of its cases."""
        known = self._added.get((start, n))
        if known is not None:
            return known
        day, left = start, n
        while left > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        self._added[(start, n)] = day
        return day

    def count_workdays(self, after: date, until: date) -> int:
        """Working days d with after < d <= until (from per-year running counts)."""
        if until <= after:
            return 0
        count = self._through(until) - self._through(after)
        for year in range(after.year, until.year):
            count += self._year(year)[-1]
        return count

    def _through(self, day: date) -> int:
        """Working days from 1 January of ``day``'s year through ``day``."""
        return self._year(day.year)[day.timetuple().tm_yday]

    def _year(self, year: int) -> list[int]:
        """``[0, c1, c2, …]``: working days among the year's first k days, for each k."""
        counts = self._years.get(year)
        if counts is None:
            counts, day, n = [0], date(year, 1, 1), 0
            while day.year == year:
                n += self.is_workday(day)
                counts.append(n)
                day += timedelta(days=1)
            self._years[year] = counts
        return counts


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
