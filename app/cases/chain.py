"""The SM3 hash chain over a case's timeline: each event hashes the previous event's hash
together with its own canonical content, so changing or removing any event shows.

The link is keyed: ``hash = HMAC-SM3(key, prev_hash ‖ canonical event)`` under the key named by
the event's ``key_id`` (``ZSB_CASE_CHAIN_KEYS``, the first key listed signs new links, every
listed key verifies, so keys rotate). A database writer without the key cannot rebuild a chain
after editing an event. Events written before the key existed have ``key_id`` NULL and a plain
``SM3(prev_hash ‖ canonical event)``; the audit (``app/cases/chain_audit.py``) accepts them only
up to a keyed seal made once by ``python -m app audit-chains --seal-legacy``.

The chain is verified by the audit (a periodic job, the staff integrity endpoint, the CLI), not
on every read: a read costs the same for a case of 5 events as for one of 200.
"""

from __future__ import annotations

import base64
import hmac as std_hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac

from app.settings import get_settings

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainKeys:
    current: str
    keys: dict[str, bytes]


def parse_keys(spec: str) -> ChainKeys:
    """``kid:base64key,kid2:base64key`` (at least 16 bytes each; the first one signs)."""
    keys: dict[str, bytes] = {}
    for part in spec.split(","):
        kid, _, b64 = part.strip().partition(":")
        raw = base64.b64decode(b64)
        if not kid or len(kid) > 16 or len(raw) < 16:
            raise ValueError("each ZSB_CASE_CHAIN_KEYS entry must be kid:base64(≥16 bytes), "
                             "a key id of at most 16 characters")
        keys[kid] = raw
    return ChainKeys(next(iter(keys)), keys)


@lru_cache(maxsize=1)
def chain_keys() -> ChainKeys:
    return parse_keys(get_settings().case_chain_keys.get_secret_value())


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def hmac_sm3_hex(key: bytes, data: bytes) -> str:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


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
    key_id: str | None = None,
) -> str:
    """The link's hash: keyed under ``key_id``, plain SM3 for a legacy link (``None``).
    An unknown key id raises ``KeyError``."""
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
    message = prev_hash.encode("ascii") + text.encode("utf-8")
    if key_id is None:
        return sm3_hex(message)
    return hmac_sm3_hex(chain_keys().keys[key_id], message)


def hash_of(event: Any, prev_hash: str) -> str:
    """Recompute the hash of a stored ``CaseEvent`` (or a row with its fields)."""
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
        key_id=getattr(event, "key_id", None),
    )


def link_holds(event: Any, prev_hash: str) -> bool:
    try:
        expected = hash_of(event, prev_hash)
    except KeyError:  # a key id no listed key has: not ours to vouch for
        return False
    return std_hmac.compare_digest(expected, event.hash)


def verify(events: list[Any], legacy_upto: int = 0) -> int | None:
    """Check a timeline ordered by seq; answer the seq of the first broken event, or None.
    Unkeyed (legacy) links are accepted only at seq ≤ ``legacy_upto``: otherwise a writer
    could rebuild a chain in plain SM3."""
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq or event.prev_hash != prev:
            return event.seq
        if getattr(event, "key_id", None) is None and event.seq > legacy_upto:
            return event.seq
        if not link_holds(event, prev):
            return event.seq
        prev = event.hash
    return None


def legacy_seal(case_id: int, seq: int, head_hash: str, key_id: str | None = None) -> str:
    """The keyed seal over a chain's unkeyed prefix (its last legacy link ``seq``/``head_hash``);
    ``key_id`` defaults to the current key."""
    ring = chain_keys()
    message = f"ZSB-CHAIN-LEGACY-1:{case_id}:{seq}:{head_hash}".encode("ascii")
    return hmac_sm3_hex(ring.keys[key_id or ring.current], message)
