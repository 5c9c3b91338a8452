"""The signed, single-use OAuth ``state``."""

from __future__ import annotations

import time

import pytest

from app.errors import BadRequest
from app.identity import oauth_state
from app.kv import MemoryKV

SECRET = "test-state-secret"


async def test_state_round_trip_is_single_use() -> None:
    kv = MemoryKV()
    state = oauth_state.issue(SECRET)
    await oauth_state.consume(SECRET, state, kv)
    with pytest.raises(BadRequest) as err:
        await oauth_state.consume(SECRET, state, kv)
    assert err.value.code == "OAUTH_STATE_USED"


async def test_forged_and_expired_states_are_refused() -> None:
    kv = MemoryKV()
    state = oauth_state.issue(SECRET)
    with pytest.raises(BadRequest) as err:
        await oauth_state.consume("another-secret", state, kv)
    assert err.value.code == "OAUTH_STATE_INVALID"
    nonce, expiry, mac = state.split(".")
    with pytest.raises(BadRequest):
        await oauth_state.consume(SECRET, f"{nonce}.{int(expiry) + 999}.{mac}", kv)
    old = oauth_state.issue(SECRET, now=time.time() - 3600)
    with pytest.raises(BadRequest) as err:
        await oauth_state.consume(SECRET, old, kv)
    assert err.value.code == "OAUTH_STATE_EXPIRED"
