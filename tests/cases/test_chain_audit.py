"""The keyed chain audit (``app/cases/chain_audit.py``) through its three doors: the service
the periodic job runs, the staff integrity endpoint and ``python -m app audit-chains``; legacy
(unkeyed) chains and their seal; the timeline's pages."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from app.cases import chain, chain_audit
from app.cases.chain_audit import Finding
from app.cases.transitions import Actor, record_step
from models.cases import Case, CaseEvent
from tests.cases.conftest import filed_case, make_item

ROOT = Path(__file__).resolve().parents[2]
CLERK = Actor("staff", "1", "测试窗口")


@pytest.fixture(scope="module")
async def item(staff: Any) -> dict[str, Any]:
    clerk = await staff(roles=["clerk"], department=f"H{uuid.uuid4().hex[:6]}")
    return await make_item(clerk.department_id)


@pytest.fixture
async def filed(api: Any, citizen: Any, item: dict[str, Any]) -> tuple[Any, int]:
    me = await citizen()
    case = await filed_case(api, me.headers, item)
    return me, int(case["id"])


async def _rehash(case_id: int, key_id: str | None) -> None:
    """What a database writer without the key can do: recompute every link in plain SM3,
    marked ``key_id`` (a key id kept, or NULL: passed off as legacy)."""
    prev = chain.GENESIS
    for event in await CaseEvent.filter(case_id=case_id).order_by("seq"):
        event.key_id = None
        digest = chain.hash_of(event, prev)
        await CaseEvent.filter(id=event.id).update(key_id=key_id, prev_hash=prev, hash=digest)
        prev = digest


async def test_a_fresh_chain_is_keyed_and_holds(filed: tuple[Any, int]) -> None:
    _, case_id = filed
    events = await CaseEvent.filter(case_id=case_id).order_by("seq")
    assert events and {e.key_id for e in events} == {chain.chain_keys().current}
    verdict = await chain_audit.audit_case(case_id)
    assert verdict is not None and verdict.broken_seq is None and verdict.finding is None


async def test_an_edited_and_rebuilt_chain_is_caught(filed: tuple[Any, int]) -> None:
    _, case_id = filed
    await CaseEvent.filter(case_id=case_id, seq=1).update(reason="改过的")
    await _rehash(case_id, "c1")
    verdict = await chain_audit.audit_case(case_id)
    assert verdict is not None and (verdict.broken_seq, verdict.finding) == (
        1, Finding.broken_link)


async def test_a_downgrade_to_plain_sm3_is_a_finding(
    api: Any, filed: tuple[Any, int]
) -> None:
    me, case_id = filed
    await _rehash(case_id, None)
    verdict = await chain_audit.audit_case(case_id)
    assert verdict is not None and verdict.finding == Finding.legacy_unsealed
    read = (await api.get(f"/api/v1/cases/{case_id}", headers=me.headers)).json()
    assert not read["timeline_intact"]


async def test_a_legacy_chain_holds_once_sealed_and_stays_checked(
    api: Any, filed: tuple[Any, int]
) -> None:
    me, case_id = filed
    await _rehash(case_id, None)  # as written before the chain was keyed (migration 0005)
    legacy = await CaseEvent.filter(case_id=case_id).count()
    sealed = await chain_audit.audit_case(case_id, seal_legacy=True)
    assert sealed is not None and sealed.broken_seq is None and sealed.legacy_seq == legacy
    case = await Case.get(id=case_id)
    async with in_transaction() as conn:  # a new link after the legacy prefix is keyed
        step = await record_step(case, actor=CLERK, reason="承办人", data={"label": "指定承办"},
                                 connection=conn)
    assert step.key_id == "c1"
    verdict = await chain_audit.audit_case(case_id)
    assert verdict is not None and verdict.broken_seq is None and verdict.legacy_seq == legacy
    assert (await api.get(f"/api/v1/cases/{case_id}", headers=me.headers)).json()[
        "timeline_intact"]
    await CaseEvent.filter(case_id=case_id, seq=1).update(reason="改过的")
    verdict = await chain_audit.audit_case(case_id)
    assert verdict is not None and verdict.finding == Finding.broken_link


async def test_the_integrity_endpoint_is_for_supervisors_and_admins(
    api: Any, staff: Any, filed: tuple[Any, int]
) -> None:
    _, case_id = filed
    await CaseEvent.filter(case_id=case_id, seq=1).update(reason="改过的")
    clerk = await staff(roles=["clerk", "reviewer"])
    url = f"/api/v1/staff/integrity/case-chains/{case_id}/audit"
    assert (await api.post(url, headers=clerk.headers)).status_code == 403
    assert (await api.get("/api/v1/staff/integrity/case-chains",
                          headers=clerk.headers)).status_code == 403
    for roles in (["supervisor"], ["admin"]):
        auditor = await staff(roles=roles)
        r = await api.post(url, headers=auditor.headers)
        assert r.status_code == 200, r.text
        assert r.json()["finding"] == "broken_link" and r.json()["broken_seq"] == 1
        found = (await api.get("/api/v1/staff/integrity/case-chains",
                               headers=auditor.headers)).json()
        assert found["broken"] >= 1 and found["audited"] >= 1
        assert case_id in {f["case_id"] for f in found["findings"]}
    missing = await api.post("/api/v1/staff/integrity/case-chains/999999999/audit",
                             headers=auditor.headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "CASE_NOT_FOUND"


async def _cli(*args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", "audit-chains", *args, cwd=ROOT, env=dict(os.environ),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


async def test_the_cli_audits_with_a_progress_bar(filed: tuple[Any, int]) -> None:
    _, case_id = filed
    code, out = await _cli("--case", str(case_id), "--json")
    assert code == 0 and json.loads(out.strip().splitlines()[-1])["broken"] == 0
    await CaseEvent.filter(case_id=case_id, seq=1).update(reason="改过的")
    code, out = await _cli("--case", str(case_id))
    assert code == 1 and f"case {case_id}: broken_link at seq 1" in out
    code, out = await _cli()  # every case: a bar on stderr, findings (ours among them)
    assert code == 1 and "case chains" in out and "cases audited" in out
    assert f"case {case_id}: broken_link" in out


async def test_the_read_carries_the_newest_page_and_older_ones_page(
    api: Any, filed: tuple[Any, int]
) -> None:
    me, case_id = filed
    case = await Case.get(id=case_id)
    async with in_transaction() as conn:
        for n in range(30):
            await record_step(case, actor=CLERK, reason=f"第{n}步", data={"label": "记录"},
                              connection=conn)
    url = f"/api/v1/cases/{case_id}"
    read = (await api.get(url, headers=me.headers)).json()
    assert len(read["timeline"]) == 20 and read["timeline_more"] and read["timeline_intact"]
    assert read["timeline"][-1]["seq"] == case.event_seq
    first = read["timeline"][0]["seq"]
    older = (await api.get(f"{url}/timeline", params={"before_seq": first, "limit": 100},
                           headers=me.headers)).json()
    assert [e["seq"] for e in older["items"]] == list(range(1, first)) and not older["more"]
    other = await api.get(f"{url}/timeline", headers={"Authorization": "Bearer x"})
    assert other.status_code == 401
