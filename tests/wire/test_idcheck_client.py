"""The ID check and face clients against the faceid-style simulator, over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from app.interfaces import FinalProviderError, RealNameOutcome, RetryableProviderError
from app.settings import Settings
from channels.idcheck import client as idcheck_client
from channels.idcheck import face as face_client
from channels.idcheck.errors import FaceNotCompleted, IdCheckError, IdCheckUnavailable
from sandbox import idcheck as sim_module
from sandbox.runner import RunningSimulator, start
from tests.support.pii_registry import bad_check_digit, new_id_number, new_name


@pytest.fixture(scope="module")
async def sim() -> AsyncIterator[RunningSimulator]:
    running = await start(sim_module.create_app())
    yield running
    await running.stop()


@pytest.fixture(scope="module")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        yield session


def _settings(sim: RunningSimulator, **over: Any) -> Settings:
    return Settings(**{**sim_module.zsb_settings(sim.base_url), **over})


async def _known(sim: RunningSimulator, http: aiohttp.ClientSession) -> tuple[str, str]:
    name, number = new_name(), new_id_number()
    async with http.post(
        f"{sim.base_url}/_sim/people", json={"id_number": number, "name": name}
    ) as resp:
        assert resp.status == 200
    return name, number


async def test_match_proves_level_2(sim: RunningSimulator, http: aiohttp.ClientSession) -> None:
    name, number = await _known(sim, http)
    result = await idcheck_client.build(_settings(sim), http, None).verify(name, number)
    assert result.outcome is RealNameOutcome.MATCH
    assert (result.level, result.source, result.raw_code) == (2, "idcheck", "0")


async def test_fixture_table_person_matches(
    sim: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    result = await idcheck_client.build(_settings(sim), http, None).verify(
        "王芳", "11010519491231002X"
    )
    assert result.outcome is RealNameOutcome.MATCH


async def test_mismatch_and_no_record(sim: RunningSimulator, http: aiohttp.ClientSession) -> None:
    client = idcheck_client.build(_settings(sim), http, None)
    name, number = await _known(sim, http)
    assert (await client.verify(new_name(), number)).outcome is RealNameOutcome.MISMATCH
    assert (await client.verify(name, new_id_number())).outcome is RealNameOutcome.NO_RECORD


async def test_bad_check_digit_is_final(sim: RunningSimulator, http: aiohttp.ClientSession) -> None:
    _, number = await _known(sim, http)
    client = idcheck_client.build(_settings(sim), http, None)
    with pytest.raises(IdCheckError) as err:
        await client.verify("张三", bad_check_digit(number))
    assert err.value.code == "-2" and not err.value.retryable


async def test_wrong_secret_is_refused(sim: RunningSimulator, http: aiohttp.ClientSession) -> None:
    name, number = await _known(sim, http)
    client = idcheck_client.build(_settings(sim, idcheck_app_secret="forged"), http, None)
    with pytest.raises(FinalProviderError) as err:
        await client.verify(name, number)
    assert err.value.code == "AuthFailure.SignatureFailure"


async def test_source_busy_and_5xx_are_retryable(
    sim: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    name, number = await _known(sim, http)
    client = idcheck_client.build(_settings(sim), http, None)
    faults = [
        {"action": "IdCardVerification", "result": "-4"},
        {"action": "IdCardVerification", "http_status": 503},
    ]
    for fault in faults:
        async with http.post(f"{sim.base_url}/_sim/faults", json=fault) as resp:
            assert resp.status == 200
        with pytest.raises(RetryableProviderError):
            await client.verify(name, number)
    assert (await client.verify(name, number)).outcome is RealNameOutcome.MATCH


async def test_unreachable_provider_is_retryable(http: aiohttp.ClientSession) -> None:
    client = idcheck_client.build(Settings(idcheck_api_base="http://127.0.0.1:9"), http, None)
    with pytest.raises(IdCheckUnavailable):
        await client.verify("张三", "110102199101010078")


async def _complete(
    sim: RunningSimulator, http: aiohttp.ClientSession, token: str, **outcome: bool
) -> None:
    async with http.post(f"{sim.base_url}/_sim/face/{token}/complete", json=outcome) as resp:
        assert resp.status == 200


async def test_face_session_proves_level_3(
    sim: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    name, number = await _known(sim, http)
    verifier = face_client.build(_settings(sim), http, None)
    session = await verifier.start(name, number, "https://zsb.example/realname/face/done")
    assert session.url.startswith(sim.base_url) and session.biz_token in session.url
    with pytest.raises(FaceNotCompleted):
        await verifier.verify(name, number, session.biz_token)
    await _complete(sim, http, session.biz_token, live=True, same_person=True)
    result = await verifier.verify(name, number, session.biz_token)
    assert result.outcome is RealNameOutcome.MATCH
    assert (result.level, result.source) == (3, "face")


async def test_face_failures_do_not_match(
    sim: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    name, number = await _known(sim, http)
    verifier = face_client.build(_settings(sim), http, None)
    failed = await verifier.start(name, number, "https://zsb.example/done")
    await _complete(sim, http, failed.biz_token, live=False, same_person=True)
    assert (await verifier.verify(name, number, failed.biz_token)).outcome != RealNameOutcome.MATCH

    ok = await verifier.start(name, number, "https://zsb.example/done")
    await _complete(sim, http, ok.biz_token, live=True, same_person=True)
    # a token proves only the identity it was opened for
    other = await verifier.verify(name, new_id_number(), ok.biz_token)
    assert other.outcome is RealNameOutcome.MISMATCH

    with pytest.raises(IdCheckError):
        await verifier.verify(name, number, "NO-SUCH-TOKEN")
