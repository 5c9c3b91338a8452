"""The command line as an operator meets it: the list of commands, create-staff that does
not silently overwrite an account, and arguments checked with messages that say why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import COMMANDS, SUMMARIES


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp: Path = tmp_path_factory.mktemp("cli")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZSB_")}
    env.update(ZSB_DATABASE_URL=f"sqlite://{tmp}/cli.sqlite3", ZSB_LOG_LEVEL="WARNING")
    done = _run(env, "migrate")
    assert done.returncode == 0, done.stderr[-2000:]
    return env


def test_help_lists_every_command_on_one_line_each() -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ZSB_")}
    done = _run(base, "--help")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    for name in COMMANDS:
        assert SUMMARIES.get(name), f"{name} has no summary"
        assert sum(1 for line in lines if line.split()[:1] == [name]) == 1, name


def test_create_staff_refuses_an_existing_name_and_says_what_changed(env) -> None:
    env = {**env, "ZSB_STAFF_PASSWORD": "first-password-123"}
    assert _run(env, "create-department", "CLI", "测试局").returncode == 0
    assert _run(env, "create-department", "CLI2", "测试二局").returncode == 0
    made = _run(env, "create-staff", "cli-alice", "--department", "CLI", "--role", "clerk")
    assert made.returncode == 0 and "created staff cli-alice" in made.stdout, made.stderr
    again = _run({**env, "ZSB_STAFF_PASSWORD": "other-password-456"}, "create-staff",
                 "cli-alice", "--department", "CLI2", "--role", "admin")
    assert again.returncode == 2
    assert "exists" in again.stderr and "--update" in again.stderr
    changed = _run({k: v for k, v in env.items() if k != "ZSB_STAFF_PASSWORD"}, "create-staff",
                   "cli-alice", "--update", "--role", "clerk", "--role", "reviewer",
                   "--department", "CLI2")
    assert changed.returncode == 0, changed.stderr
    assert "department CLI → CLI2" in changed.stdout
    assert "roles clerk → clerk, reviewer" in changed.stdout
    assert "password" not in changed.stdout  # not given: unchanged
    same = _run({k: v for k, v in env.items() if k != "ZSB_STAFF_PASSWORD"}, "create-staff",
                "cli-alice", "--update", "--department", "CLI2")
    assert "nothing changed" in same.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["reconcile", "--date", "2099-01-01"], "has not ended yet"),
    (["reconcile", "--date", "2026-02-30"], "is not a date"),
    (["supervision-rollup", "--from", "2026-11-05", "--to", "2026-11-01"], "is before"),
    (["rotate-pii-key", "--batch", "0"], "must be at least 1"),
])
def test_arguments_are_checked_with_clear_messages(env, args: list[str], message: str) -> None:
    done = _run(env, *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
