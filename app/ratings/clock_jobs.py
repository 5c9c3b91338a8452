"""Periodic 整改 work, one runner at a time (a kv lease): alert rectifications turning yellow or
red, close the 回访 windows that passed without a re-rating."""

from __future__ import annotations

import logging
from typing import Any

from app.periodic import under_lease
from app.ratings import rectifications

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 600
LEASE = "lease:rating-rectifications"


async def run_once() -> dict[str, int]:
    return {"alerts": await rectifications.scan_overdue(),
            "closed": await rectifications.expire_revisits()}


async def run(app: Any) -> None:
    """Background task (``app/wiring.py``)."""
    await under_lease(app, lease=LEASE, interval=INTERVAL_SECONDS, job=_logged,
                      name="rectification clocks")


async def _logged() -> None:
    counts = await run_once()
    if any(counts.values()):
        log.info("rectification clocks", extra=counts)
