"""The licence library client against its simulator over loopback HTTP: signed requests, the
library's record signatures, and each error the protocol names."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from app.crypto import sm2
from channels import govsign
from channels.licence.client import LicenceLibraryClient
from channels.licence.errors import LicenceLibraryError, LicenceLibraryUnavailable, RecordNotSigned
from models.certificates import HolderKind
from sandbox import licence as sim_mod
from sandbox.runner import RunningSimulator, start

ZHANG = "110102199101010078"


@pytest.fixture
async def sim() -> AsyncIterator[RunningSimulator]:
    running = await start(sim_mod.create_app())
    yield running
    await running.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def client(http: aiohttp.ClientSession, sim: RunningSimulator, **overrides: Any
           ) -> LicenceLibraryClient:
    settings = sim_mod.zsb_settings(sim.base_url)
    args: dict[str, Any] = dict(
        base_url=sim.base_url, app_id=settings["licence_app_id"],
        app_secret=settings["licence_app_secret"],
        public_key=sm2.public_from_xy(bytes.fromhex(settings["licence_public_key"])),
    )
    args.update(overrides)
    return LicenceLibraryClient(http, **args)


async def test_query_and_fetch_a_signed_record(http: Any, sim: RunningSimulator) -> None:
    library = client(http, sim)
    found = await library.query(HolderKind.person, ZHANG)
    assert {r.type_name for r in found} == {"居民身份证", "居民户口簿"}
    assert all(not r.signature for r in found)
    only = await library.query(HolderKind.person, ZHANG, "居民户口簿")
    assert [r.type_name for r in only] == ["居民户口簿"]
    record = await library.fetch(only[0].licence_id, ZHANG)
    assert record.holder_id == ZHANG and record.signature and record.issuer == "示范市公安局"
    assert record.valid_on(record.valid_from)  # type: ignore[arg-type]
    company = await library.query(HolderKind.company, "91110000600037341L")
    assert [r.type_name for r in company] == ["营业执照"] and company[0].valid_until is None


async def test_errors_the_protocol_names(http: Any, sim: RunningSimulator) -> None:
    library = client(http, sim)
    theirs = (await library.query(HolderKind.person, "120110198012010073"))[0]
    with pytest.raises(LicenceLibraryError) as refused:
        await library.fetch(theirs.licence_id, ZHANG)
    assert refused.value.code == "HOLDER_MISMATCH"
    with pytest.raises(LicenceLibraryError) as missing:
        await library.fetch("no-such-licence", ZHANG)
    assert missing.value.code == "LICENCE_NOT_FOUND"
    with pytest.raises(LicenceLibraryError) as auth:
        await client(http, sim, app_secret="wrong").query(HolderKind.person, ZHANG)
    assert auth.value.code == "AUTH_FAILED"
    # a record signed by a key other than the one we trust is never believed
    other = sm2.generate().public_key()
    with pytest.raises(RecordNotSigned):
        await client(http, sim, public_key=other).fetch(theirs.licence_id,
                                                        "120110198012010073")
    async with http.post(f"{sim.base_url}/_sim/faults", json={
            "path": "/v1/licences/query", "code": "SYSTEM_BUSY", "http_status": 503}) as r:
        assert r.status == 200
    with pytest.raises(LicenceLibraryUnavailable):
        await library.query(HolderKind.person, ZHANG)
    with pytest.raises(LicenceLibraryUnavailable):
        await client(http, sim, base_url="http://127.0.0.1:9").query(HolderKind.person, ZHANG)


async def test_replayed_and_stale_requests_are_refused(http: Any, sim: RunningSimulator
                                                       ) -> None:
    settings = sim_mod.zsb_settings(sim.base_url)
    body = json.dumps({"holder_type": "person", "holder_id": ZHANG}).encode()
    path = "/v1/licences/query"

    def headers(ts: str, nonce: str) -> dict[str, str]:
        return govsign.signed_headers(settings["licence_app_id"], settings["licence_app_secret"],
                                      "POST", path, body, timestamp=int(ts), nonce=nonce)

    fresh = headers(str(int(time.time())), "a" * 32)
    codes = []
    for _ in range(2):
        async with http.post(sim.base_url + path, data=body, headers=fresh) as r:
            codes.append((r.status, (await r.json())["code"]))
    assert codes == [(200, "0"), (401, "NONCE_REUSED")]
    async with http.post(sim.base_url + path, data=body,
                         headers=headers(str(int(time.time()) - 900), "b" * 32)) as r:
        assert r.status == 401 and (await r.json())["code"] == "TIMESTAMP_OUT_OF_RANGE"
    tampered = {**headers(str(int(time.time())), "c" * 32)}
    async with http.post(sim.base_url + path, data=body.replace(b"person", b"compan"),
                         headers=tampered) as r:
        assert r.status == 401 and (await r.json())["code"] == "AUTH_FAILED"
