"""The login (refresh-token family) a request came through, and moving it after a binding."""

from __future__ import annotations

from typing import Any

from app.identity.binding import ProofApplied
from app.kv import KeyValue
from app.security import tokens
from app.security.tokens import revoke_family
from models.core import RefreshToken


async def login_of(family_id: str | None) -> tuple[str | None, str | None]:
    """(channel, device) of the login behind an access token's ``fam`` claim."""
    row = await RefreshToken.filter(family_id=family_id or "").first()
    return (row.channel, row.device) if row else (None, None)


async def revoke_all_sessions(
    person_id: int, kv: KeyValue, reason: str, *, channel: str | None = None
) -> None:
    """End every live session of the person, or only those opened through ``channel``."""
    live = RefreshToken.filter(
        subject_kind="citizen", subject_id=person_id, revoked_at__isnull=True
    )
    if channel is not None:
        live = live.filter(channel=channel)
    families = await live.distinct().values_list("family_id", flat=True)
    for family in set(families):
        await revoke_family(str(family), reason, kv)


async def proof_answer(
    applied: ProofApplied, family_id: str | None, kv: KeyValue
) -> dict[str, Any]:
    """What a real-name endpoint answers. When the proof bound this login to an already
    verified person, the old person's sessions end and this login gets a pair for the
    verified one."""
    out: dict[str, Any] = {
        "person_id": applied.person_id,
        "realname_level": applied.level,
        "bound": applied.bound_from is not None,
    }
    if applied.bound_from is not None:
        channel, device = await login_of(family_id)
        await revoke_all_sessions(applied.bound_from, kv, "bound")
        pair = await tokens.issue_pair(
            "citizen", applied.person_id, device=device, channel=channel or "app"
        )
        out["tokens"] = {**pair.as_dict(), "person_id": applied.person_id, "channel": channel}
    return out
