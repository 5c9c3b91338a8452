"""``python -m app reconcile --date …`` as an operator runs it: a separate process."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import pytest

from models.payments import ReconciliationMismatch, ReconciliationRun
from tests.payments.helpers import sim

pytestmark = pytest.mark.asyncio
ROOT = Path(__file__).resolve().parents[2]


async def _run(*args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", "reconcile", *args, cwd=ROOT, env=dict(os.environ),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode(errors="replace")


async def test_cli_reconciles_a_day_with_a_progress_bar(server, sims) -> None:
    day = f"2024-0{1 + uuid.uuid4().int % 9}-1{uuid.uuid4().int % 9}"
    stranger = "ZSBC" + uuid.uuid4().hex[:20].upper()
    await sim(sims["wechatpay"].base_url, "pay", out_trade_no=stranger, total=321,
              fault="silent", success_time=f"{day}T09:30:00+08:00")
    code, out = await _run("--date", day, "--channel", "wechatpay")
    assert code == 0, out
    assert f"wechatpay {day}" in out and "row" in out  # tqdm's bar, then the counts
    run = await ReconciliationRun.get(channel="wechatpay", bill_date=day)
    assert run.status == "done" and run.counts["bill_rows"] >= 1
    assert await ReconciliationMismatch.filter(run_id=run.id, out_trade_no=stranger,
                                               kind="missing_local").count() == 1
    code, out = await _run("--date", "2024-13-45")
    assert code == 2 and "YYYY-MM-DD" in out
