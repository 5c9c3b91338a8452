"""``/docs`` renders the API's operations in Chromium with every request that does not go
to our own server blocked: Swagger UI comes from the project's installed files, not a CDN."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from app.api_docs import DIST, UI_FILES
from tests.browser.conftest import SHOTS


async def test_docs_render_offline(browser: Any, server: Any) -> None:
    if not (DIST / UI_FILES[0]).is_file():
        pytest.skip("Swagger UI not copied yet: make web")
    context = await browser.new_context()
    blocked: list[str] = []
    ours = urlsplit(server.base_url).netloc

    async def only_ours(route: Any) -> None:
        if urlsplit(route.request.url).netloc == ours:
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_ours)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        await page.goto(server.base_url + "/docs")
        await page.locator(".opblock").first.wait_for(state="visible", timeout=20_000)
        # every tag's operations, drawn (Swagger UI draws them in steps)
        await page.locator('[data-path="/api/v1/auth/otp/login"]').first.wait_for(timeout=20_000)
        assert await page.locator(".opblock").count() >= 5
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / "docs.png"))
        # Swagger UI reports broken references and schema errors in an errors pane
        assert await page.locator(".errors-wrapper").count() == 0
        assert not blocked, blocked
        assert not errors, errors
    finally:
        await context.close()
