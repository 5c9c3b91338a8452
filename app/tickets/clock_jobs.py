"""Periodic ticket work, one runner at a time (a kv lease): alert tickets turning yellow or red,
close the answers nobody confirmed in time."""

from __future__ import annotations

import logging
from typing import Any

from app.periodic import under_lease
from app.tickets import actions

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 600
LEASE = "lease:ticket-clocks"


async def run_once() -> dict[str, int]:
    return {"alerts": await actions.scan_overdue(),
            "closed": await actions.expire_confirmations()}


async def run(app: Any) -> None:
    """Background task (``app/wiring.py``)."""
    await under_lease(app, lease=LEASE, interval=INTERVAL_SECONDS, job=_logged,
                      name="ticket clocks")


async def _logged() -> None:
    counts = await run_once()
    if any(counts.values()):
        log.info("ticket clocks", extra=counts)
