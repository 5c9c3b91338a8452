"""Browser tests: Playwright (Python, async) driving Debian's Chromium headless at phone size
against the real server and simulators of ``tests/conftest.py``.

Never a downloaded browser: ``executable_path`` is ``/usr/bin/chromium`` (Debian's package,
which ``make browser-tools`` installs with the CJK fonts). Playwright starts it with a fresh
temporary profile of its own each launch (its ``--user-data-dir``). Every page is saved as a
screenshot under ``var/screenshots/`` for people to look at.

They run in the PostgreSQL pass only: the pages speak the same JSON API on both backends, and
the API tests already run twice; ``ZSB_BROWSER_TESTS=all`` runs them in both passes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from handlers.frontends import FRONTENDS

CHROMIUM = os.environ.get("ZSB_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
MOBILE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/156.0.0.0 Mobile Safari/537.36")
# WeChat's in-app browser on the same phone (its UA carries MicroMessenger)
WECHAT_UA = (MOBILE_UA + " XWEB/1300 MMWEBSDK/20260101"
             " MicroMessenger/8.0.60.2860(0x28003C3B) WeChat/arm64")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
         "--disable-dev-shm-usage"]


def _why_not() -> str | None:
    if os.environ.get("ZSB_TEST_BACKEND", "postgres") != "postgres" and \
            os.environ.get("ZSB_BROWSER_TESTS") != "all":
        return "browser tests run in the PostgreSQL pass"
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        return f"{CHROMIUM} missing (make browser-tools installs Debian's chromium)"
    missing = [f.name for f in FRONTENDS if not (f.dist / "index.html").is_file()]
    if missing:
        return f"front ends not built ({', '.join(missing)}): make web"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is missing (make install)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _why_not()
    if reason is None:
        return
    if os.environ.get("CI") and "PostgreSQL pass" not in reason:
        raise pytest.UsageError(f"CI needs the browser tests: {reason}")
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        await chromium.close()


@dataclass
class Phone:
    """One phone's browser: a context at 390 × 844, its page, and what it asked for."""

    context: Any
    page: Any
    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def open(self, path: str) -> Any:
        response = await self.page.goto(self.base + path)
        await self.rendered()
        return response

    async def rendered(self, page_name: str | None = None) -> str:
        """Wait for a page of the H5 to be drawn; answer its name (``data-page``)."""
        selector = f'[data-page="{page_name}"]' if page_name else "[data-page]"
        node = self.page.locator(selector).first
        await node.wait_for(state="visible", timeout=15_000)
        # loaded when the placeholders are gone ("networkidle" never comes: the live stream)
        await self.page.wait_for_function(
            "() => !document.querySelector('.van-skeleton, [data-page] > .van-loading')",
            timeout=15_000)
        return str(await node.get_attribute("data-page"))

    async def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        return path

    def outside_hosts(self) -> set[str]:
        """Hosts asked for that are not on this machine (nothing may come from a CDN)."""
        hosts = {urlsplit(u).hostname or "" for u in self.requests if u.startswith("http")}
        return {h for h in hosts if h not in {"127.0.0.1", "localhost"}}


@pytest.fixture
async def phone(browser: Any, server: Any) -> AsyncIterator[Callable[..., Awaitable[Phone]]]:
    made: list[Phone] = []

    async def make(*, wechat: bool = False, tokens: dict[str, Any] | None = None) -> Phone:
        context = await browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
            user_agent=WECHAT_UA if wechat else MOBILE_UA, locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        if tokens:  # signed in already, as after a login on this phone
            await context.add_init_script(
                "localStorage.getItem('zsb.session') || localStorage.setItem('zsb.session', "
                f"JSON.stringify({_session_json(tokens)}))"
            )
        page = await context.new_page()
        p = Phone(context, page, server.base_url + "/h5")
        page.on("request", lambda r: p.requests.append(r.url))
        page.on("pageerror", lambda e: p.errors.append(str(e)))
        made.append(p)
        return p

    yield make
    for p in made:
        await p.context.close()
    errors = [e for p in made for e in p.errors]
    assert not errors, f"script errors on the page: {errors}"


def _session_json(tokens: dict[str, Any]) -> str:
    import json

    return json.dumps({"access": tokens["access_token"], "refresh": tokens["refresh_token"],
                       "personId": tokens.get("person_id"),
                       "channel": tokens.get("channel", "app")})
