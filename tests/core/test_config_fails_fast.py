"""A wrong setting stops ``python -m app`` before anything starts: one line naming the
setting and what is wrong, exit 2, no traceback, and no signal to the caller's process
group (the test runs the command in its own group and is still alive to check)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from app.settings import PLATFORM_URLS, Settings, describe_error
from tests.core.test_settings_and_limits import _real_platforms, _real_secrets


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("ZSB_")}
    return subprocess.run([sys.executable, "-m", "app", *args], env={**base, **env},
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("command", [["serve"], ["serve", "--workers", "2"], ["migrate"]])
def test_a_mistyped_database_url_is_one_line_and_exit_2(command: list[str]) -> None:
    done = _run(*command, ZSB_DATABASE_URL="postgress://zsb:secret-pw@db.internal:5432/zsb")
    assert done.returncode == 2, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("configuration error: ZSB_DATABASE_URL=postgress://***@")
    assert "unknown scheme 'postgress'" in lines[0]
    assert "secret-pw" not in done.stderr and "Traceback" not in done.stderr


def test_a_bad_number_and_an_unknown_platform_name_the_setting() -> None:
    done = _run("serve", ZSB_PORT="80a")
    assert done.returncode == 2 and done.stderr.startswith("configuration error: ZSB_PORT=80a")
    done = _run("serve", ZSB_DISABLED_PLATFORMS="alipay,wechatt")
    assert done.returncode == 2 and "ZSB_DISABLED_PLATFORMS" in done.stderr
    assert "wechatt" in done.stderr


def _production(**extra: str) -> Settings:
    return Settings(env="production", **{**_real_secrets(), **_real_platforms(), **extra})


def test_production_refuses_loopback_platforms_unless_switched_off(monkeypatch) -> None:
    for name in [n for n in os.environ if n.startswith("ZSB_")]:
        monkeypatch.delenv(name)
    _production()  # every platform real: accepted
    for platform, fields in PLATFORM_URLS.items():
        for url in ("http://127.0.0.1:9", "http://localhost:8080/x", "http://[::1]:1"):
            with pytest.raises(ValidationError) as err:
                _production(**{fields[0]: url})
            line = describe_error(err.value)
            assert f"ZSB_{fields[0].upper()}={url}" in line
            assert f"ZSB_DISABLED_PLATFORMS={platform}" in line
        _production(**{fields[0]: "http://127.0.0.1:9", "disabled_platforms": platform})
    with pytest.raises(ValidationError) as err:
        _production(public_base_url="http://127.0.0.1:8000")
    assert "ZSB_PUBLIC_BASE_URL" in describe_error(err.value)
    # a deployment with every platform off may run on loopback (an internal console)
    every = ",".join(PLATFORM_URLS)
    Settings(env="production", **{**_real_secrets(), "disabled_platforms": every,
                                  "public_base_url": "http://127.0.0.1:8000",
                                  "sms_api_base": "http://127.0.0.1:9"})
