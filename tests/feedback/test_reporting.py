"""Reports to the 好差评 system go through the outbox as jobs: never sent inside the request,
retried with backoff when the province fails on demand, dead (and shown to staff, and
resendable) when it refuses or keeps failing, and one record there however often sent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app import clock, outbound
from models.jobs import JobState, PlatformJob
from models.push import StaffAlert
from models.ratings import Rating
from tests.feedback.support import RATE_BAD, completed_case, department, drain, send_jobs


async def _quiet(server: Any) -> None:
    """Send whatever other tests left due, so the faults below meet our jobs only."""
    await drain(server)
    later = clock.now() + timedelta(days=30)
    while await outbound.run_once(server.app.ctx.edges, worker="test", now=later):
        pass


async def _rated(api: Any, citizen: Any, dept: Any, server: Any) -> tuple[Rating, PlatformJob]:
    await _quiet(server)
    me = await citizen()
    case = await completed_case(api, me.headers, dept)
    r = await api.post(f"/api/v1/cases/{case['id']}/rating", json=RATE_BAD, headers=me.headers)
    assert r.status_code == 201
    rating = await Rating.get(case_id=case["id"])
    await drain(server)
    job = await PlatformJob.get(key=f"evaluation-{rating.id}-0")
    return rating, job


def _faults(sims: Any, **fault: Any) -> None:
    sims["haocp"].app["state"]["faults"].append(fault)


async def test_retried_until_the_province_takes_it(api: Any, citizen: Any, staff: Any,
                                                   server: Any, sims: Any) -> None:
    dept = await department(staff)
    rating, job = await _rated(api, citizen, dept, server)
    assert job.state == JobState.queued and job.department_id == dept.id
    assert f"ZSB-{rating.id}" not in sims["haocp"].app["state"]["evaluations"]
    _faults(sims, code="5000", times=1)
    _faults(sims, http=503, times=1)
    await outbound.run_once(server.app.ctx.edges, worker="test")
    job = await PlatformJob.get(id=job.id)
    assert (job.state, job.attempts) == (JobState.queued, 1) and "5000" in (job.last_error or "")
    assert job.next_attempt_at is not None and job.next_attempt_at > clock.now()
    await outbound.run_once(server.app.ctx.edges, worker="test")  # not due yet: untouched
    assert (await PlatformJob.get(id=job.id)).attempts == 1
    await outbound.run_once(server.app.ctx.edges, worker="test",
                            now=clock.now() + timedelta(hours=1))
    job = await PlatformJob.get(id=job.id)
    assert (job.state, job.attempts) == (JobState.queued, 2) and "503" in (job.last_error or "")
    await send_jobs(server, now=clock.now() + timedelta(hours=2))
    job = await PlatformJob.get(id=job.id)
    assert (job.state, job.attempts) == (JobState.done, 3)
    assert job.response is not None and job.response["duplicate"] is False
    held = sims["haocp"].app["state"]["evaluations"][f"ZSB-{rating.id}"]
    assert held["level"] == 2 and held["content"] == RATE_BAD["comment"]

    # sent again (a lost answer, a lease that ran out): the same one record there
    await PlatformJob.filter(id=job.id).update(state=JobState.queued, next_attempt_at=clock.now())
    await outbound.run_once(server.app.ctx.edges, worker="test")
    job = await PlatformJob.get(id=job.id)
    assert job.state == JobState.done and (job.response or {})["duplicate"] is True
    keys = [r["key"] for r in sims["haocp"].app["state"]["requests"]]
    assert keys.count(job.key) == 4  # three tries and the repeat, one evaluation held


async def test_a_refusal_is_dead_visible_and_resendable(api: Any, citizen: Any, staff: Any,
                                                        server: Any, sims: Any) -> None:
    dept, other = await department(staff), await department(staff)
    supervisor = await staff(roles=["supervisor"], department=dept.code)
    far = await staff(roles=["supervisor"], department=other.code)
    rating, job = await _rated(api, citizen, dept, server)
    _faults(sims, code="2001", times=1)
    await outbound.run_once(server.app.ctx.edges, worker="test")
    job = await PlatformJob.get(id=job.id)
    assert job.state == JobState.dead and job.attempts == 1
    await drain(server)
    alert = await StaffAlert.get(kind="platform_job.dead", department_id=dept.id)
    assert job.key in alert.body and alert.severity == "critical"

    listed = await api.get("/api/v1/staff/outbound-jobs", headers=supervisor.headers)
    assert [j["id"] for j in listed.json()["items"]] == [job.id]
    assert listed.json()["items"][0]["edge_name"] == "好差评系统"
    assert (await api.get("/api/v1/staff/outbound-jobs", headers=far.headers)
            ).json()["items"] == []
    assert (await api.get("/api/v1/staff/outbound-jobs", headers=dept.clerk.headers)
            ).status_code == 403
    assert (await api.post(f"/api/v1/staff/outbound-jobs/{job.id}/resend",
                           headers=far.headers)).status_code == 404
    r = await api.post(f"/api/v1/staff/outbound-jobs/{job.id}/resend", headers=supervisor.headers)
    assert r.status_code == 200 and r.json()["state"] == "queued"
    again = await api.post(f"/api/v1/staff/outbound-jobs/{job.id}/resend",
                           headers=supervisor.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "JOB_NOT_DEAD"
    await send_jobs(server)
    assert (await PlatformJob.get(id=job.id)).state == JobState.done
    assert f"ZSB-{rating.id}" in sims["haocp"].app["state"]["evaluations"]


async def test_the_last_retry_leaves_it_dead(api: Any, citizen: Any, staff: Any, server: Any,
                                             sims: Any) -> None:
    dept = await department(staff)
    _, job = await _rated(api, citizen, dept, server)
    await PlatformJob.filter(id=job.id).update(attempts=outbound.MAX_ATTEMPTS - 1)
    _faults(sims, code="5000", times=1)
    await outbound.run_once(server.app.ctx.edges, worker="test")
    job = await PlatformJob.get(id=job.id)
    assert (job.state, job.attempts) == (JobState.dead, outbound.MAX_ATTEMPTS)


async def test_a_lost_lease_is_claimed_again(api: Any, citizen: Any, staff: Any,
                                             server: Any) -> None:
    dept = await department(staff)
    _, job = await _rated(api, citizen, dept, server)
    token, claimed = await outbound.claim("dies")
    assert job.id in [j.id for j in claimed]
    assert (await outbound.claim("other"))[1] == []  # leased
    later = clock.now() + timedelta(seconds=outbound.LEASE_SECONDS + 1)
    token2, again = await outbound.claim("other", now=later)
    assert job.id in [j.id for j in again] and token2 != token
    await outbound.run_once(server.app.ctx.edges, worker="test",
                            now=later + timedelta(seconds=outbound.LEASE_SECONDS + 1))
    assert (await PlatformJob.get(id=job.id)).state == JobState.done
