"""``python -m app wechat-menu push FILE | show`` against the simulator."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox import wechat as wechat_sim
from sandbox.runner import RunningSimulator, start

ROOT = Path(__file__).parents[2]


@pytest.fixture
async def sim() -> AsyncIterator[RunningSimulator]:
    running = await start(wechat_sim.create_app())
    yield running
    await running.stop()


async def _cli(sim: RunningSimulator, *args: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZSB_")}
    env.update({f"ZSB_{k.upper()}": v for k, v in wechat_sim.zsb_settings(sim.base_url).items()})
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        "wechat-menu",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    return int(proc.returncode or 0), out.decode()


async def test_push_sample_then_show(sim: RunningSimulator, tmp_path: Path) -> None:
    code, out = await _cli(sim, "push")
    assert code == 0, out
    assert [b["name"] for b in sim.app["state"]["menu"]["button"]] == [
        "我的办件",
        "办事指南",
        "联系我们",
    ]
    code, out = await _cli(sim, "show")
    assert code == 0 and json.loads(out)["button"][2]["key"] == "CONTACT"


def test_unreadable_menu_files_are_refused(tmp_path: Path) -> None:
    from channels.wechat.cli import main

    assert main(["push", str(tmp_path / "missing.json")]) == 2
    bad = tmp_path / "menu.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    assert main(["push", str(bad)]) == 2
