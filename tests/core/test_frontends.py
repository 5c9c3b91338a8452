"""The built front ends as the backend serves them: history fallback, caching, no way out of
the build folder, nothing fetched from outside; and the one H5 link builder."""

from __future__ import annotations

import re

import httpx
import pytest

from app.links import h5_url, on_h5
from app.settings import Settings
from handlers.frontends import FRONTENDS

BUILT = all((f.dist / "index.html").is_file() for f in FRONTENDS)
needs_build = pytest.mark.skipif(not BUILT, reason="front ends not built (make web)")


def test_links_are_made_absolute_under_the_h5_root() -> None:
    s = Settings(public_base_url="https://api.example.cn/", h5_base_url="")
    assert h5_url(s, "/cases/17") == "https://api.example.cn/h5/cases/17"
    assert h5_url(s, "cases") == "https://api.example.cn/h5/cases"
    assert h5_url(s, "/h5/guide/GA-1") == "https://api.example.cn/h5/guide/GA-1"
    assert h5_url(s, "https://else.example.cn/x") == "https://else.example.cn/x"
    moved = Settings(public_base_url="https://api.example.cn", h5_base_url="https://m.example.cn")
    assert h5_url(moved, "/messages") == "https://m.example.cn/h5/messages"
    assert on_h5(moved, "https://m.example.cn/h5/wechat/callback?next=/")
    assert not on_h5(moved, "https://m.example.cn.evil.cn/h5/x")


@needs_build
async def test_pages_fall_back_and_assets_cache_for_a_year(api: httpx.AsyncClient) -> None:
    for root in ("/h5", "/console"):
        r = await api.get(root)
        assert r.status_code == 302 and r.headers["location"] == root + "/"
        page = await api.get(root + "/cases/17?x=1")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"
        assert page.headers["content-type"].startswith("text/html")
        asset = re.search(rf'{root}/assets/[^"]+\.js', page.text)
        assert asset, page.text
        js = await api.get(asset.group(0))
        assert js.status_code == 200 and "immutable" in js.headers["cache-control"]
        assert (await api.get(root + "/assets/missing-123.js")).status_code == 404


@needs_build
async def test_nothing_outside_the_build_folder_is_served(api: httpx.AsyncClient) -> None:
    for path in ("/h5/..%2f..%2fpyproject.toml", "/h5/%2e%2e/%2e%2e/app/settings.py"):
        r = await api.get(path)
        assert "[project]" not in r.text and "SecretStr" not in r.text


@needs_build
def test_the_build_names_no_outside_address() -> None:
    """Fonts and icons are inlined: no CDN at run time (Vant's icon CSS names one as a
    fallback, which the build removes)."""
    cdn = re.compile(r"(alicdn|jsdelivr|unpkg|cdnjs|googleapis|gstatic)\.", re.I)
    for front in FRONTENDS:
        for path in front.dist.rglob("*"):
            if path.suffix in {".css", ".html", ".js"}:
                text = path.read_text(encoding="utf-8")
                assert not cdn.search(text), path
                assert not re.search(r'(src|href)="(https?:)?//', text), path
