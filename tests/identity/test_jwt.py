"""JWT negative tests: every forged or stale token is a 401, and a reused refresh token
revokes its whole family."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt

KEYS = Path(__file__).resolve().parents[2] / "sandbox" / "keys"


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(settings, person_id: int, **over: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    now = int(time.time())
    claims = {
        "iss": settings.jwt_issuer,
        "aud": "zsb-citizen",
        "sub": str(person_id),
        "kind": "citizen",
        "fam": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    return {**claims, **over}


def _secret(settings) -> str:  # type: ignore[no-untyped-def]
    return str(settings.jwt_secret.get_secret_value())


async def _status(api, token: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    resp = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    return resp.status_code, resp.json().get("error", {}).get("code", "")


async def test_a_correctly_signed_token_works(api, citizen, settings) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    token = jwt.encode(_claims(settings, who.person_id), _secret(settings), algorithm="HS256")
    assert (await _status(api, token))[0] == 200


async def test_alg_none_is_refused(api, citizen, settings) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    claims = _claims(settings, who.person_id)
    for alg in ("none", "None", "NONE"):
        token = f"{_b64({'alg': alg, 'typ': 'JWT'})}.{_b64(claims)}."
        assert (await _status(api, token))[0] == 401


async def test_hs_rs_confusion_is_refused(api, citizen, settings) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    claims = _claims(settings, who.person_id)
    private = (KEYS / "alipay_app_private_key.pem").read_bytes()
    public = (KEYS / "alipay_app_public_key.pem").read_bytes()
    rs = jwt.encode(claims, private, algorithm="RS256")
    assert (await _status(api, rs))[0] == 401
    # the classic confusion: HS256 keyed with a public key an attacker can read
    header = _b64({"alg": "HS256", "typ": "JWT"})
    body = f"{header}.{_b64(claims)}"
    mac = hmac.new(public, body.encode(), hashlib.sha256).digest()
    forged = f"{body}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    assert (await _status(api, forged))[0] == 401


async def test_wrong_audience_and_kind_are_refused(api, citizen, staff, settings) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    staff_aud = jwt.encode(
        _claims(settings, who.person_id, aud="zsb-staff"), _secret(settings), algorithm="HS256"
    )
    assert (await _status(api, staff_aud))[0] == 401
    clerk = await staff(roles=["clerk"])
    resp = await api.get("/api/v1/me", headers=clerk.headers)
    assert resp.status_code == 401
    staff_only = await api.post(
        f"/api/v1/staff/persons/{who.person_id}/pii",
        json={"field": "phone", "reason": "核对身份"},
        headers=who.headers,
    )
    assert staff_only.status_code == 401


async def test_expired_token_is_refused(api, citizen, settings) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    past = int(time.time()) - 3600
    token = jwt.encode(
        _claims(settings, who.person_id, iat=past - 900, exp=past), _secret(settings), "HS256"
    )
    assert await _status(api, token) == (401, "TOKEN_EXPIRED")


async def test_reused_refresh_token_revokes_the_family(api, citizen) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    first = await api.post("/api/v1/auth/refresh", json={"refresh_token": who.refresh})
    assert first.status_code == 200
    rotated = first.json()
    reuse = await api.post("/api/v1/auth/refresh", json={"refresh_token": who.refresh})
    assert reuse.status_code == 401
    assert reuse.json()["error"]["code"] == "REFRESH_TOKEN_REUSED"
    later = await api.post(
        "/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}
    )
    assert later.status_code == 401
    assert (await _status(api, rotated["access_token"]))[0] == 401
    assert (await _status(api, who.access))[0] == 401


async def test_a_token_verified_once_still_expires(api, citizen, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from app.security import tokens

    who = await citizen()
    exp = int(time.time()) + 60
    token = jwt.encode(_claims(settings, who.person_id, exp=exp), _secret(settings), "HS256")
    assert (await _status(api, token))[0] == 200
    assert (await _status(api, token))[0] == 200  # the remembered verification
    monkeypatch.setattr(tokens, "time", SimpleNamespace(time=lambda: exp))
    assert await _status(api, token) == (401, "TOKEN_EXPIRED")


async def test_an_altered_copy_of_a_verified_token_is_refused(api, citizen, settings) -> None:  # type: ignore[no-untyped-def]
    who, other = await citizen(), await citizen()
    token = jwt.encode(_claims(settings, who.person_id), _secret(settings), "HS256")
    assert (await _status(api, token))[0] == 200
    header, _, signature = token.split(".")
    body = jwt.decode(token, options={"verify_signature": False})
    forged = f"{header}.{_b64({**body, 'sub': str(other.person_id)})}.{signature}"
    assert await _status(api, forged) == (401, "TOKEN_INVALID")
