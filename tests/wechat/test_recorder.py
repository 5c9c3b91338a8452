"""Group commit of inbound records: concurrent callbacks share statements, retries are seen."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from channels.wechat.recorder import InboundRecorder, Row
from models.wechat import InboundCallback

pytestmark = pytest.mark.usefixtures("server")


def _row(key: str) -> Row:
    return Row(dedupe_key=key, openid="oREC", msg_type="text", event=None, mode="aes", body="x")


async def test_concurrent_records_and_duplicates_in_one_batch() -> None:
    recorder = InboundRecorder()
    prefix = f"test:{uuid.uuid4().hex}:"
    keys = [f"{prefix}{n}" for n in range(40)] + [f"{prefix}0", f"{prefix}1"]
    results = await asyncio.gather(*(recorder.record(_row(k)) for k in keys))
    assert results[:40] == [True] * 40 and results[40:] == [False, False]
    assert await InboundCallback.filter(dedupe_key__startswith=prefix).count() == 40
    # a WeChat retry arriving later is not new either
    assert await recorder.record(_row(f"{prefix}7")) is False
    assert await recorder.record(_row(f"{prefix}new")) is True
