"""Outbound platform jobs: 好差评 reports and 12345 replies, sent outside any transaction.

Jobs are made from outbox events by the outbox consumer (``app.reactions``), in its
transaction, once per idempotency key. ``run_once`` claims due jobs in one statement (rows
another runner holds are skipped; the lease in ``next_attempt_at`` makes a job due again if its
runner dies), sends each through its edge with no transaction open, and writes the outcome
only where its claim still stands. A retryable failure backs off exponentially; a final one,
or the last retry, leaves the job ``dead`` and alerts staff, who may send it again. Every job
may be sent twice, so every platform receives its key and treats a repeat as the same record.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from app import clock, sql
from app.edges import Edges
from app.errors import Conflict
from app.interfaces import FinalProviderError, RetryableProviderError
from app.outbox import emit
from app.scoped import Sees, visible
from models.jobs import JobState, PlatformJob
from push.outcomes import backoff

log = logging.getLogger("zsb.outbound")

MAX_ATTEMPTS = 8  # about an hour and a half of backing off before a job is dead
LEASE_SECONDS = 60.0
BACKOFF_BASE, BACKOFF_CAP = 10.0, 1800.0
INTERVAL_SECONDS = 5.0
BATCH = 50
EDGE_NAMES = {"haocp": "好差评系统", "hotline": "12345热线"}

Sender = Callable[[PlatformJob, Edges], Awaitable[dict[str, Any]]]


def senders() -> dict[str, Sender]:
    """Job kind → the function that sends it (it reads what it needs, calls one edge)."""
    from app.ratings import reporting
    from app.tickets import hotline_out

    return {**reporting.SENDERS, **hotline_out.SENDERS}


async def enqueue(conn: BaseDBAsyncClient, *, key: str, edge: str, kind: str,
                  payload: dict[str, Any], department_id: int | None,
                  event_id: int | None = None) -> None:
    """A new job in the caller's transaction; a key already queued adds nothing."""
    await PlatformJob.bulk_create([PlatformJob(
        key=key, edge=edge, kind=kind, payload=payload, department_id=department_id,
        event_id=event_id, next_attempt_at=clock.now(),
    )], ignore_conflicts=True, using_db=conn)


_CLAIM = (
    "UPDATE platform_job SET state = 'sending', claimed_by = $1, attempts = attempts + 1,"
    " next_attempt_at = $2 WHERE id IN (SELECT id FROM platform_job"
    " WHERE state IN ('queued', 'sending') AND next_attempt_at <= $3"
    " ORDER BY next_attempt_at, id LIMIT $4{skip_locked}) RETURNING id"
)


async def claim(worker: str, *, limit: int = BATCH, now: datetime | None = None
                ) -> tuple[str, list[PlatformJob]]:
    now = now or clock.now()
    token = f"{worker}:{uuid.uuid4().hex[:8]}"
    conn = PlatformJob._meta.db
    rows = await sql.rows(conn, _CLAIM, token, now + timedelta(seconds=LEASE_SECONDS), now, limit)
    if not rows:
        return token, []
    jobs = await PlatformJob.filter(id__in=[r["id"] for r in rows]).order_by("id")
    return token, jobs


async def _send(job: PlatformJob, edges: Edges, table: dict[str, Sender]
                ) -> tuple[JobState, dict[str, Any] | None, str | None]:
    sender = table.get(job.kind)
    if sender is None:
        return JobState.dead, None, f"no sender for {job.kind}"
    try:
        return JobState.done, await sender(job, edges), None
    except FinalProviderError as exc:
        return JobState.dead, None, f"{exc.code or ''} {exc}".strip()
    except RetryableProviderError as exc:
        error = f"{exc.code or ''} {exc}".strip()
    except Exception as exc:  # a bug in a sender must not stop the others: retried, then dead
        log.exception("outbound job %s (%s) failed", job.id, job.kind)
        error = repr(exc)
    return (JobState.dead if job.attempts >= MAX_ATTEMPTS else JobState.queued), None, error


async def _record(job: PlatformJob, token: str, state: JobState,
                  response: dict[str, Any] | None, error: str | None) -> None:
    now = clock.now()
    values: dict[str, Any] = {"state": state, "last_error": (error or None) and error[:255]}
    if state is JobState.done:
        values.update(response=response, done_at=now, next_attempt_at=None)
    elif state is JobState.queued:
        values["next_attempt_at"] = backoff(job.attempts, base=BACKOFF_BASE, cap=BACKOFF_CAP,
                                            now=now)
    else:
        values["next_attempt_at"] = None
    async with in_transaction() as conn:
        won = await PlatformJob.filter(id=job.id, claimed_by=token).using_db(conn).update(
            **values)
        if won and state is JobState.dead:
            await emit("platform_job.dead", aggregate="platform_job", aggregate_id=job.id,
                       payload={"job_id": job.id, "edge_name": EDGE_NAMES.get(job.edge, job.edge),
                                "kind": job.kind, "job_key": job.key,
                                "error": (error or "")[:200], "department_id": job.department_id},
                       connection=conn)


async def _defer(job_ids: list[int], token: str) -> None:
    if job_ids:
        await PlatformJob.filter(id__in=job_ids, claimed_by=token).update(
            state=JobState.queued, attempts=F("attempts") - 1,
            next_attempt_at=clock.now() + timedelta(seconds=BACKOFF_BASE))


async def run_once(edges: Edges, *, worker: str = "outbound", now: datetime | None = None,
                   concurrency: int = 10) -> int:
    """Send the due jobs once; answer how many were tried."""
    token, jobs = await claim(worker, now=now)
    if not jobs:
        return 0
    table = senders()
    sem = asyncio.Semaphore(concurrency)
    # jobs about one rating (or ticket) go in the order they were made: a 整改 report sent
    # before its evaluation would only be refused and retried
    groups: dict[str, list[PlatformJob]] = {}
    for job in jobs:
        about = job.payload.get("rating_id") or job.payload.get("ticket_id") or f"job{job.id}"
        groups.setdefault(f"{job.edge}:{about}", []).append(job)

    async def in_order(group: list[PlatformJob]) -> None:
        async with sem:
            for n, job in enumerate(group):
                state, response, error = await _send(job, edges, table)
                if error:
                    log.warning("outbound job %s (%s) not sent: %s", job.id, job.kind,
                                error[:120])
                await _record(job, token, state, response, error)
                if state is not JobState.done:  # the rest wait their turn (not an attempt)
                    await _defer([j.id for j in group[n + 1:]], token)
                    return

    await asyncio.gather(*(in_order(g) for g in groups.values()))
    return len(jobs)


async def resend(job_id: int, *, sees: Sees, staff_id: int) -> PlatformJob:
    """Staff send a dead job again (same key: the platform keeps one record)."""
    await visible(PlatformJob, job_id, sees, "上报任务不存在", "JOB_NOT_FOUND")
    changed = await PlatformJob.filter(id=job_id, state=JobState.dead).update(
        state=JobState.queued, attempts=0, next_attempt_at=clock.now(), claimed_by=None)
    if not changed:
        raise Conflict("只有发送失败的任务可以重新发送", code="JOB_NOT_DEAD")
    log.info("outbound job %s resent by staff %s", job_id, staff_id)
    return await PlatformJob.get(id=job_id)


def shape(job: PlatformJob) -> dict[str, Any]:
    return {
        "id": job.id, "key": job.key, "edge": job.edge,
        "edge_name": EDGE_NAMES.get(job.edge, job.edge), "kind": job.kind,
        "state": str(job.state), "attempts": job.attempts, "last_error": job.last_error,
        "department_id": job.department_id, "created_at": clock.iso(job.created_at),
        "next_attempt_at": clock.iso(job.next_attempt_at), "done_at": clock.iso(job.done_at),
    }


async def run(app: Any) -> None:
    """Background task (``app/wiring.py``): every worker sends; claims keep them apart."""
    worker = f"{socket.gethostname()}:{os.getpid()}"
    while True:
        try:
            done = await run_once(app.ctx.edges, worker=worker)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("outbound jobs failed")
            done = 0
        await asyncio.sleep(0.2 if done else INTERVAL_SECONDS)
