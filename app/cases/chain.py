"""The SM3 hash chain over a case's timeline: each event hashes the previous event's hash
together with its own canonical content, so changing or removing any event shows."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes

GENESIS = "0" * 64


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def canonical_at(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    prev_hash: str,
    case_id: int,
    seq: int,
    actor_kind: str,
    actor_id: str,
    actor_name: str | None,
    from_status: str | None,
    to_status: str,
    reason: str | None,
    data: dict[str, Any],
    at: datetime,
) -> str:
    body = {
        "case_id": case_id,
        "seq": seq,
        "actor": [actor_kind, actor_id, actor_name],
        "from": from_status,
        "to": to_status,
        "reason": reason,
        "data": data,
        "at": canonical_at(at),
    }
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return sm3_hex(prev_hash.encode("ascii") + text.encode("utf-8"))


def hash_of(event: Any, prev_hash: str) -> str:
    """Recompute the hash of a stored ``CaseEvent``."""
    return event_hash(
        prev_hash=prev_hash,
        case_id=event.case_id,
        seq=event.seq,
        actor_kind=event.actor_kind,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        from_status=event.from_status,
        to_status=event.to_status,
        reason=event.reason,
        data=event.data or {},
        at=event.at,
    )


def verify(events: list[Any]) -> int | None:
    """Check a timeline ordered by seq; answer the seq of the first broken event, or None."""
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq or event.prev_hash != prev:
            return event.seq
        if hash_of(event, prev) != event.hash:
            return event.seq
        prev = event.hash
    return None
