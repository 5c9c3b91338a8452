"""Quiet hours (免打扰): normal and bulk messages wait until the window ends; critical never."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache

from app.clock import SHANGHAI


@lru_cache(maxsize=16)
def parse_window(spec: str) -> tuple[time, time] | None:
    """``"22:00-08:00"`` → (22:00, 08:00); empty → no quiet hours."""
    if not spec.strip():
        return None
    start, _, end = spec.partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def release_at(now: datetime, priority: str, spec: str) -> datetime:
    """When a message of ``priority`` created at ``now`` (aware) may go out."""
    window = parse_window(spec)
    if priority == "critical" or window is None:
        return now
    start, end = window
    local = now.astimezone(SHANGHAI)
    t = local.time()
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return now
    release = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if release <= local:
        release += timedelta(days=1)
    return release.astimezone(now.tzinfo)
