"""Time: aware UTC in storage, Asia/Shanghai for display and working-day arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(UTC)


def local(dt: datetime) -> datetime:
    return dt.astimezone(SHANGHAI)


def utc(dt: datetime) -> datetime:
    """The form of every stored time and every query bound. SQLite keeps times as text and
    compares them as text, so a bound written in Beijing's +08:00 against values stored in
    UTC is 8 h off there (PostgreSQL compares instants and hides it)."""
    return dt.astimezone(UTC)


def local_at(day: date, at: time) -> datetime:
    """A Beijing wall-clock moment on ``day`` (a working-day limit, a day's start), in UTC."""
    return utc(datetime.combine(day, at, tzinfo=SHANGHAI))


def iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z") if dt else None


def from_timestamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
