"""The audit of case timelines' keyed SM3 chains (``app/cases/chain.py``), off the read path.

Three doors, one function each: the periodic job (``run``, one runner under a lease), the
staff integrity endpoint (``handlers/staff_integrity.py``) and ``python -m app audit-chains``
(``app/cases/chain_cli.py``). Each audit writes its verdict per case into ``case_chain_audit``;
a case read shows ``timeline_intact: false`` once the audit has found its chain broken (and at
once when the newest link or the case's status was changed around the chain, which the read
checks from the newest event alone).

Legacy links (written before the chain was keyed, ``key_id`` NULL) hold only under a keyed seal
over the unkeyed prefix: ``audit-chains --seal-legacy`` checks the prefix as plain SM3 and seals
it, once, after the upgrade. Unsealed unkeyed links are findings (``legacy_unsealed``), and a
chain with a keyed link is never sealed again (no downgrade to plain SM3)."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise import Tortoise

from app import clock, sql
from app.cases import chain
from app.periodic import under_lease
from app.settings import get_settings
from models.cases import CaseEvent, CaseStatus

log = logging.getLogger("zsb.cases.chain_audit")
LEASE = "lease:case-chain-audit"
BATCH = 200  # cases per read: bounded memory whatever the database holds

_CASES = (
    "SELECT c.id, c.event_seq, c.status, a.legacy_seq, a.legacy_hash, a.legacy_mac,"
    " a.legacy_key_id FROM case_record c LEFT JOIN case_chain_audit a ON a.case_id = c.id"
    " WHERE c.id > $1 ORDER BY c.id LIMIT $2"
)
_ONE_CASE = (
    "SELECT c.id, c.event_seq, c.status, c.department_id, a.legacy_seq, a.legacy_hash,"
    " a.legacy_mac, a.legacy_key_id FROM case_record c"
    " LEFT JOIN case_chain_audit a ON a.case_id = c.id WHERE c.id = $1"
)
_EVENTS = (
    "SELECT * FROM case_event WHERE case_id >= $1 AND case_id <= $2 ORDER BY case_id, seq"
)
_COUNT = "SELECT COUNT(*) AS n FROM case_record"
_SAVE = (
    "INSERT INTO case_chain_audit (case_id, checked_at, checked_seq, broken_seq, finding,"
    " legacy_seq, legacy_hash, legacy_mac, legacy_key_id)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    " ON CONFLICT (case_id) DO UPDATE SET checked_at = excluded.checked_at,"
    " checked_seq = excluded.checked_seq, broken_seq = excluded.broken_seq,"
    " finding = excluded.finding,"
    " legacy_seq = excluded.legacy_seq, legacy_hash = excluded.legacy_hash,"
    " legacy_mac = excluded.legacy_mac, legacy_key_id = excluded.legacy_key_id"
)


class Finding(StrEnum):
    broken_link = "broken_link"  # an event edited, removed or re-hashed without the key
    ends_short = "ends_short"  # the newest links dropped, or the case's status edited
    legacy_unsealed = "legacy_unsealed"  # unkeyed links no seal vouches for (yet)


@dataclass
class Verdict:
    case_id: int
    checked_seq: int
    broken_seq: int | None  # None: the chain holds
    finding: Finding | None
    legacy_seq: int = 0
    legacy_hash: str | None = None
    legacy_mac: str | None = None
    legacy_key_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "checked_seq": self.checked_seq,
                "intact": self.broken_seq is None, "broken_seq": self.broken_seq,
                "finding": self.finding.value if self.finding else None,
                "legacy_seq": self.legacy_seq}


@dataclass
class Summary:
    cases: int = 0
    events: int = 0
    broken: list[Verdict] = field(default_factory=list)
    sealed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"cases": self.cases, "events": self.events, "broken": len(self.broken),
                "sealed": self.sealed, "findings": [v.as_dict() for v in self.broken[:100]]}


def _sealed_upto(case: dict[str, Any], events: list[CaseEvent]) -> int:
    """How far unkeyed links are vouched for by a valid seal (0: none)."""
    seq, mac, kid = case.get("legacy_seq") or 0, case.get("legacy_mac"), case.get("legacy_key_id")
    if not seq or not mac or seq > len(events) or kid not in chain.chain_keys().keys:
        return 0
    head = events[seq - 1]
    if head.hash != case["legacy_hash"]:
        return 0
    expected = chain.legacy_seal(case["id"], seq, head.hash, kid)
    return seq if hmac.compare_digest(expected, mac) else 0


def _unkeyed_prefix(events: list[CaseEvent]) -> int:
    n = 0
    while n < len(events) and events[n].key_id is None:
        n += 1
    return n


def judge(case: dict[str, Any], events: list[CaseEvent], *, seal_legacy: bool = False
          ) -> Verdict:
    """The verdict on one case's chain (events ordered by seq)."""
    last = events[-1].seq if events else 0
    verdict = Verdict(case["id"], last, None, None, case.get("legacy_seq") or 0,
                      case.get("legacy_hash"), case.get("legacy_mac"), case.get("legacy_key_id"))
    upto = _sealed_upto(case, events)
    prefix = _unkeyed_prefix(events)
    if seal_legacy and prefix > upto and chain.verify(events[:prefix], prefix) is None:
        # the unkeyed prefix holds as plain SM3: seal it (a keyed link after it stays keyed)
        head = events[prefix - 1]
        ring = chain.chain_keys()
        verdict.legacy_seq, verdict.legacy_hash, verdict.legacy_key_id = (
            prefix, head.hash, ring.current)
        verdict.legacy_mac = chain.legacy_seal(case["id"], prefix, head.hash, ring.current)
        upto = prefix
    broken = chain.verify(events, upto)
    if broken is not None:
        unsealed = events[broken - 1].key_id is None if broken <= len(events) else False
        legacy_ok = unsealed and broken <= prefix and chain.verify(events, prefix) is None
        verdict.broken_seq = broken
        verdict.finding = Finding.legacy_unsealed if legacy_ok else Finding.broken_link
    elif not events or last != case["event_seq"] or (
        str(events[-1].to_status) != CaseStatus(case["status"]).value
    ):
        verdict.broken_seq, verdict.finding = last + 1, Finding.ends_short
    return verdict


def _conn() -> Any:
    return Tortoise.get_connection("default")


async def _save(conn: Any, verdicts: list[Verdict]) -> None:
    now = clock.now()
    await sql.execute_many(conn, _SAVE, [
        (v.case_id, now, v.checked_seq, v.broken_seq, v.finding, v.legacy_seq, v.legacy_hash,
         v.legacy_mac, v.legacy_key_id) for v in verdicts
    ])


async def _judge_batch(conn: Any, cases: list[dict[str, Any]], seal_legacy: bool
                       ) -> tuple[list[Verdict], int]:
    rows = await sql.rows(conn, _EVENTS, cases[0]["id"], cases[-1]["id"])
    by_case: dict[int, list[CaseEvent]] = {}
    for row in rows:
        by_case.setdefault(row["case_id"], []).append(CaseEvent._init_from_db(**row))
    verdicts = [judge(c, by_case.get(c["id"], []), seal_legacy=seal_legacy) for c in cases]
    await _save(conn, verdicts)
    return verdicts, len(rows)


async def audit_case(case_id: int, department_id: int | None = None, *,
                     seal_legacy: bool = False) -> Verdict | None:
    """Audit one case now (None: no such case, or not in ``department_id`` when given)."""
    conn = _conn()
    found = await sql.rows(conn, _ONE_CASE, case_id)
    if not found or department_id not in (None, found[0]["department_id"]):
        return None
    verdicts, _ = await _judge_batch(conn, found, seal_legacy)
    return verdicts[0]


async def audit_all(*, seal_legacy: bool = False,
                    progress: Callable[[int, int], None] | None = None) -> Summary:
    """Every case, in batches of ``BATCH`` by id; ``progress(done, total)`` after each."""
    conn = _conn()
    [count] = await sql.rows(conn, _COUNT)
    total, out, after = int(count["n"]), Summary(), 0
    while True:
        cases = await sql.rows(conn, _CASES, after, BATCH)
        if not cases:
            break
        verdicts, events = await _judge_batch(conn, cases, seal_legacy)
        out.cases += len(cases)
        out.events += events
        out.broken += [v for v in verdicts if v.broken_seq is not None]
        out.sealed += sum(1 for v, c in zip(verdicts, cases, strict=True)
                          if v.legacy_seq != (c.get("legacy_seq") or 0))
        after = cases[-1]["id"]
        if progress:
            progress(out.cases, max(total, out.cases))
    return out


async def _audit_and_log() -> None:
    found = await audit_all()
    level = logging.WARNING if found.broken else logging.INFO
    log.log(level, "case chains audited", extra={"cases": found.cases, "events": found.events,
                                                 "broken": len(found.broken)})


async def run(app: Any) -> None:
    """Background task (``app/wiring.py``): the lease holder audits every chain, the first
    time a few minutes after start (not while a fresh deploy warms up)."""
    await asyncio.sleep(min(300.0, get_settings().case_chain_audit_interval_seconds))
    await under_lease(app, lease=LEASE, interval=get_settings().case_chain_audit_interval_seconds,
                      job=_audit_and_log, name="case chain audit")


_FINDINGS = (
    "SELECT a.case_id, c.number, c.department_id, a.broken_seq, a.finding, a.checked_seq,"
    " a.checked_at FROM case_chain_audit a JOIN case_record c ON c.id = a.case_id"
    " WHERE a.broken_seq IS NOT NULL{scope} ORDER BY a.case_id LIMIT 200"
)
_TOTALS = (
    "SELECT COUNT(*) AS audited, MIN(a.checked_at) AS oldest, MAX(a.checked_at) AS newest,"
    " COUNT(a.broken_seq) AS broken FROM case_chain_audit a JOIN case_record c"
    " ON c.id = a.case_id WHERE 1 = 1{scope}"
)


async def findings(department_id: int | None) -> dict[str, Any]:
    """What the audits found, in one department or (``None``) all: how many cases audited and
    when, and the broken chains (the first 200 by case id)."""
    conn = _conn()
    scope, args = ("", []) if department_id is None else (" AND c.department_id = $1",
                                                          [department_id])
    [totals] = await sql.rows(conn, _TOTALS.format(scope=scope), *args)
    rows = await sql.rows(conn, _FINDINGS.format(scope=scope), *args)
    return {
        "audited": int(totals["audited"]), "broken": int(totals["broken"]),
        "oldest_check_at": clock.iso(_aware(totals["oldest"])),
        "newest_check_at": clock.iso(_aware(totals["newest"])),
        "findings": [{**r, "checked_at": clock.iso(_aware(r["checked_at"]))} for r in rows],
    }


def _aware(value: Any) -> Any:
    """A timestamp as a driver answers it (SQLite: text)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value
