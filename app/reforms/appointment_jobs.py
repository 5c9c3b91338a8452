"""The appointment clock: a push reminder the day before (``appointment.reminder``, once), and
bookings not checked in by the end of their slot counted as no-shows (爽约), which restrict
booking after the configured number (``app.reforms.appointments``)."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from app import clock
from app.outbox import emit
from app.periodic import under_lease
from models.appointments import Appointment, AppointmentStatus, Hall

log = logging.getLogger(__name__)
A = AppointmentStatus
INTERVAL_SECONDS = 600
LEASE = "lease:appointment-jobs"


def _end_of_tomorrow(now: datetime) -> datetime:
    day = clock.local(now).date() + timedelta(days=1)
    return clock.local_at(day, time(23, 59, 59))


async def scan_once(now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    now = now or clock.now()
    done = {"reminded": 0, "no_show": 0}
    for appt in await Appointment.filter(
        status=A.booked, reminded_at__isnull=True, starts_at__gt=now,
        starts_at__lte=_end_of_tomorrow(now), booked_at__lte=now - timedelta(hours=2),
    ).order_by("id").limit(batch):
        done["reminded"] += await _remind(appt, now)
    done["no_show"] = await Appointment.filter(status=A.booked, ends_at__lte=now).update(
        status=A.no_show, no_show_at=now, active_key=None)
    return done


async def _remind(appt: Appointment, now: datetime) -> int:
    hall = await Hall.get_or_none(id=appt.hall_id)
    local = clock.local(appt.starts_at)
    async with in_transaction() as conn:
        won = await Appointment.filter(id=appt.id, status=A.booked,
                                       reminded_at__isnull=True).using_db(conn).update(
            reminded_at=now)
        if not won:
            return 0
        await emit("appointment.reminder", aggregate="appointment", aggregate_id=str(appt.id),
                   payload={"appointment_id": appt.id, "item_name": appt.item_name,
                            "hall_name": hall.name if hall else "",
                            "hall_address": hall.address if hall else "",
                            "time_text": f"{local.month}月{local.day}日{local:%H:%M}"},
                   person_id=appt.person_id, connection=conn)
    return 1


async def run(app: Any) -> None:
    """Background task (``app/wiring.py``): every ten minutes, the lease holder scans."""
    await under_lease(app, lease=LEASE, interval=INTERVAL_SECONDS, job=_scan_and_log,
                      name="appointment jobs")


async def _scan_and_log() -> None:
    done = await scan_once()
    if any(done.values()):
        log.info("appointment jobs done", extra=done)
