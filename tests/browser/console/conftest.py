"""The staff console in a desktop browser: Playwright on Debian's Chromium (the harness of
``tests/browser/conftest.py``), one context per staff member, a screenshot of every page
under ``var/screenshots/console-*``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Phone
from tests.conftest import STAFF_PASSWORD

DESKTOP = {"width": 1440, "height": 900}


class Desk(Phone):
    """One staff member's browser at desktop size (the H5's ``Phone``, with the console's own
    idea of a page being drawn, and its login)."""

    async def open(self, path: str, page_name: str | None = None) -> Any:
        response = await self.page.goto(self.base + path)
        await self.rendered(page_name)
        return response

    async def rendered(self, page_name: str | None = None) -> str:
        """Wait for a console page to be drawn and its data loaded (no loading mask)."""
        selector = f'[data-page="{page_name}"]' if page_name else "[data-page]"
        node = self.page.locator(selector).first
        await node.wait_for(state="visible", timeout=15_000)
        await self.page.wait_for_function(
            "() => ![...document.querySelectorAll('.el-loading-mask')]"
            ".some((m) => m.offsetParent !== null)", timeout=15_000)
        return str(await node.get_attribute("data-page"))

    async def login(self, username: str, password: str = STAFF_PASSWORD) -> None:
        await self.open("/login", "login")
        await self.page.get_by_label("用户名").fill(username)
        await self.page.get_by_label("密码").fill(password)
        await self.page.get_by_role("button", name="登录").click()
        await self.page.locator("[data-page]:not([data-page=login])").first.wait_for()
        await self.rendered()

    async def click_action(self, action: str) -> None:
        await self.page.locator(f'[data-action="{action}"]').click()

    async def answer_prompt(self, text: str | None = None) -> None:
        """Fill an Element Plus prompt (a reason) and confirm it."""
        # the newest box: the one before may still be fading out when the next opens
        box = self.page.locator(".el-message-box").last
        await box.wait_for()
        handle = await box.element_handle()
        if text is not None:
            await box.locator("input, textarea").first.fill(text)
        await box.get_by_role("button", name="确定").click()
        await handle.wait_for_element_state("hidden")

    async def shot(self, name: str) -> Path:
        return await super().shot(f"console-{name}")


@pytest.fixture
async def desk(browser: Any, server: Any) -> AsyncIterator[Callable[..., Awaitable[Desk]]]:
    made: list[Desk] = []

    async def make() -> Desk:
        context = await browser.new_context(viewport=DESKTOP, locale="zh-CN",
                                            timezone_id="Asia/Shanghai", accept_downloads=True)
        page = await context.new_page()
        d = Desk(context, page, server.base_url + "/console")
        page.on("request", lambda r: d.requests.append(r.url))
        page.on("pageerror", lambda e: d.errors.append(str(e)))
        made.append(d)
        return d

    yield make
    for d in made:
        await d.context.close()
    errors = [e for d in made for e in d.errors]
    assert not errors, f"script errors on the page: {errors}"
    outside = set().union(*(d.outside_hosts() for d in made)) if made else set()
    assert not outside, f"the console fetched from outside: {outside}"
