"""JWT access tokens and rotating refresh tokens.

Access tokens are short-lived HS256 JWTs with the algorithm pinned on decode and separate
audiences for citizens and staff, so a citizen token never opens a staff endpoint. Refresh
tokens are opaque random strings stored only as SHA-256 hashes; each use rotates it within its
family, and presenting an already-rotated token revokes the whole family.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any, Literal

import jwt
from tortoise.transactions import in_transaction

from app.clock import now
from app.errors import Unauthorized
from app.kv import KeyValue
from app.outages import KV_ERRORS, outages
from app.settings import get_settings
from models.core import RefreshToken

ALGORITHM = "HS256"
AUDIENCES = {"citizen": "zsb-citizen", "staff": "zsb-staff"}
SubjectKind = Literal["citizen", "staff"]
CHANNEL_CLAIM = "channel"  # a citizen token's login channel (issue 17: never from the body)


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"

    def as_dict(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_in": self.expires_in,
            "token_type": self.token_type,
        }


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def encode_access(
    kind: SubjectKind, subject_id: int, family_id: str, extra: dict[str, Any] | None = None
) -> tuple[str, int]:
    s = get_settings()
    issued = now()
    ttl = s.access_token_minutes * 60
    claims = {
        "iss": s.jwt_issuer,
        "aud": AUDIENCES[kind],
        "sub": str(subject_id),
        "kind": kind,
        "fam": family_id,
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(seconds=ttl)).timestamp()),
        "jti": uuid.uuid4().hex,
        **(extra or {}),
    }
    return jwt.encode(claims, s.jwt_secret.get_secret_value(), algorithm=ALGORITHM), ttl


def decode_access(token: str, kind: SubjectKind) -> dict[str, Any]:
    s = get_settings()
    claims = _verified(token, AUDIENCES[kind], s.jwt_secret.get_secret_value(), s.jwt_issuer)
    if int(claims["exp"]) <= time.time():  # checked when first verified; it lapses since
        raise Unauthorized("登录已过期，请重新登录", code="TOKEN_EXPIRED")
    return dict(claims)


@lru_cache(maxsize=4096)
def _verified(token: str, audience: str, secret: str, issuer: str) -> dict[str, Any]:
    """The claims of a token whose signature and claims checked out once. Verifying took a
    good share of an authenticated read (PyJWT re-examines the key on every decode); a token
    never changes, so only its expiry needs looking at again. Failures are not cached."""
    try:
        return jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("登录已过期，请重新登录", code="TOKEN_EXPIRED") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("登录凭证无效", code="TOKEN_INVALID") from exc


async def issue_pair(
    kind: SubjectKind,
    subject_id: int,
    *,
    device: str | None = None,
    channel: str = "app",
    family_id: str | None = None,
    extra_claims: dict[str, Any] | None = None,
    connection: Any = None,
) -> TokenPair:
    s = get_settings()
    family_id = family_id or uuid.uuid4().hex
    refresh = secrets.token_urlsafe(32)
    issued = now()
    await RefreshToken.create(
        token_hash=_hash(refresh),
        family_id=family_id,
        subject_kind=kind,
        subject_id=subject_id,
        channel=channel,
        device=(device or "")[:128] or None,
        issued_at=issued,
        expires_at=issued + timedelta(days=s.refresh_token_days),
        using_db=connection,
    )
    claims = {CHANNEL_CLAIM: channel, **(extra_claims or {})} if kind == "citizen" else extra_claims
    access, ttl = encode_access(kind, subject_id, family_id, claims)
    return TokenPair(access, refresh, ttl)


async def login_channel(claims: dict[str, Any]) -> str:
    """The channel a citizen logged in through (app, wechat, alipay): what their token says,
    signed with it, never what a request body claims. A token from before the claim existed
    answers its login's channel, as the refresh token family recorded it."""
    channel = claims.get(CHANNEL_CLAIM)
    if isinstance(channel, str) and channel:
        return channel
    row = await RefreshToken.filter(family_id=str(claims.get("fam", ""))).first()
    if row is None:
        raise Unauthorized("登录凭证无效", code="TOKEN_INVALID")
    return str(row.channel)


async def rotate(
    refresh_token: str, kind: SubjectKind, kv: KeyValue, extra_claims_for: Any = None
) -> tuple[TokenPair, RefreshToken]:
    """Exchange a refresh token for a new pair. ``extra_claims_for(subject_id)`` may add
    claims (the staff roles) to the new access token."""
    async with in_transaction() as conn:
        row = (
            await RefreshToken.filter(token_hash=_hash(refresh_token), subject_kind=kind)
            .select_for_update()
            .using_db(conn)
            .first()
        )
        if row is None or row.revoked_at is not None or row.expires_at <= now():
            raise Unauthorized("登录凭证无效", code="REFRESH_TOKEN_INVALID")
        reused = row.rotated_at is not None
        if reused:
            await revoke_family(row.family_id, "reuse", kv, connection=conn)
        else:
            row.rotated_at = now()
            row.last_used_at = row.rotated_at
            await row.save(using_db=conn, update_fields=["rotated_at", "last_used_at"])
            extra = await extra_claims_for(row.subject_id) if extra_claims_for else None
            pair = await issue_pair(
                kind,
                row.subject_id,
                device=row.device,
                channel=row.channel,
                family_id=row.family_id,
                extra_claims=extra,
                connection=conn,
            )
    if reused:  # raised after commit, so the revocation sticks
        raise Unauthorized("登录凭证已被使用，请重新登录", code="REFRESH_TOKEN_REUSED")
    return pair, row


async def revoke_family(
    family_id: str, reason: str, kv: KeyValue, *, connection: Any = None
) -> int:
    """Revoke every refresh token of a family; its access tokens are refused from then on.
    The refresh-token rows (``revoked_at``) are the durable record, so a revocation survives
    a restart of Redis, which only caches each family's state for every worker."""
    count = (
        await RefreshToken.filter(family_id=family_id, revoked_at__isnull=True)
        .using_db(connection)
        .update(revoked_at=now(), revoked_reason=reason)
    )
    _revoked_here[family_id] = None
    _trim(_revoked_here)
    try:
        await kv.set(_family_key(family_id), REVOKED, ex=_revoked_ttl())
    except KV_ERRORS as exc:  # committed in the database: workers find it there
        outages.report("kv", exc)
    return count


async def revoke_subject(
    kind: SubjectKind, subject_id: int, reason: str, kv: KeyValue, *, connection: Any = None
) -> int:
    """Revoke every login of one person at once (a staff account deactivated, its roles or
    password changed): each of their token families, refresh and access tokens alike."""
    families = await RefreshToken.filter(
        subject_kind=kind, subject_id=subject_id, revoked_at__isnull=True
    ).using_db(connection).distinct().values_list("family_id", flat=True)
    for family_id in families:
        await revoke_family(str(family_id), reason, kv, connection=connection)
    return len(families)


REVOKED, LIVE = "revoked", "live"
# how long a worker trusts the cached "live" state of a family before asking the database
# again: the bound on how late a revocation whose cache write failed (Redis unreachable at
# that moment) takes effect everywhere
LIVE_CACHE_SECONDS = 60
_revoked_here: dict[str, None] = {}  # families this worker saw revoked (insertion order)


def _family_key(family_id: str) -> str:
    return f"token-family:{family_id}"


def _revoked_ttl() -> int:
    return get_settings().access_token_minutes * 60 + 60


def _trim(cache: dict[str, None], size: int = 8192) -> None:
    while len(cache) > size:
        cache.pop(next(iter(cache)))


async def is_family_revoked(family_id: str, kv: KeyValue) -> bool:
    """Whether a family's access tokens are refused: the kv cache of its state, else the
    database (also when the kv store is unreachable: token checks degrade to a query, they
    do not fail)."""
    if family_id in _revoked_here:
        return True
    if outages.down("kv"):  # failed moments ago: no timeout per request while it lasts
        return await _revoked_in_database(family_id)
    key = _family_key(family_id)
    try:
        state = await kv.get(key)
    except KV_ERRORS as exc:
        outages.report("kv", exc)
        return await _revoked_in_database(family_id)
    if state is None:
        revoked = await _revoked_in_database(family_id)
        state = REVOKED if revoked else LIVE
        try:  # nx: a revocation written meanwhile is never overwritten with "live"
            await kv.set(key, state, ex=_revoked_ttl() if revoked else LIVE_CACHE_SECONDS,
                         nx=True)
        except KV_ERRORS as exc:
            outages.report("kv", exc)
    return state == REVOKED


async def _revoked_in_database(family_id: str) -> bool:
    revoked = await RefreshToken.filter(
        family_id=family_id, revoked_at__isnull=False).exists()
    if revoked:
        _revoked_here[family_id] = None
        _trim(_revoked_here)
    return revoked
