"""The built front ends: the citizen H5 at ``/h5`` and the staff console at ``/console``.

Each is a single-page app built by ``make web`` into ``web/<name>/dist``. A file that exists
is served (hashed assets under ``assets/`` for a year, ``immutable``); any other path is a
page of the app and gets ``index.html`` (history fallback, never cached, so a release shows
at once). A missing asset is a plain 404: answering a stale script with HTML would break the
page in a way nobody can read. Not in the OpenAPI: these are pages, not API.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path

from sanic import Blueprint, HTTPResponse
from sanic.response import file, redirect
from sanic_ext import openapi

from app.context import AppRequest
from app.links import CONSOLE_ROOT, H5_ROOT

WEB = Path(__file__).resolve().parent.parent / "web"
YEAR = 365 * 24 * 3600
ASSET_CACHE = f"public, max-age={YEAR}, immutable"
PAGE_CACHE = "no-cache"
NOT_BUILT = (
    "<!doctype html><meta charset=utf-8><title>页面尚未构建</title>"
    "<p>前端页面尚未构建，请在项目目录运行 <code>make web</code>。</p>"
)
mimetypes.add_type("application/javascript", ".js")
mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("font/woff2", ".woff2")


@dataclass(frozen=True)
class Frontend:
    name: str  # the workspace folder under web/
    root: str  # where it is served

    @property
    def dist(self) -> Path:
        return WEB / self.name / "dist"


FRONTENDS = (Frontend("h5", H5_ROOT), Frontend("console", CONSOLE_ROOT))


def _inside(dist: Path, path: str) -> Path | None:
    """The file ``path`` names inside ``dist``; None for anything else (``..``, folders)."""
    candidate = (dist / path).resolve()
    if dist.resolve() not in candidate.parents or not candidate.is_file():
        return None
    return candidate


async def _serve(front: Frontend, request: AppRequest, path: str) -> HTTPResponse:
    dist = front.dist
    index = dist / "index.html"
    if not index.is_file():
        return HTTPResponse(NOT_BUILT, status=503, content_type="text/html; charset=utf-8",
                            headers={"cache-control": "no-store"})
    found = _inside(dist, path) if path else None
    if found is not None and found != index.resolve():
        cache = ASSET_CACHE if path.startswith("assets/") else "public, max-age=3600"
        return await file(found, headers={"cache-control": cache},
                          mime_type=mimetypes.guess_type(found.name)[0])
    if path.startswith("assets/") or Path(path).suffix in {".js", ".css", ".map", ".woff2"}:
        return HTTPResponse("Not Found", status=404, content_type="text/plain; charset=utf-8")
    return await file(index, headers={"cache-control": PAGE_CACHE},
                      mime_type="text/html; charset=utf-8")


def _blueprint(front: Frontend) -> Blueprint:
    bp = Blueprint(f"web_{front.name}", url_prefix=front.root)

    @bp.get("", name="bare", strict_slashes=True)
    @openapi.exclude()
    async def bare(request: AppRequest) -> HTTPResponse:
        return redirect(front.root + "/")

    @bp.get("/", name="index", strict_slashes=True)
    @openapi.exclude()
    async def index(request: AppRequest) -> HTTPResponse:
        return await _serve(front, request, "")

    @bp.get("/<path:path>", name="page")
    @openapi.exclude()
    async def page(request: AppRequest, path: str) -> HTTPResponse:
        return await _serve(front, request, path)

    return bp


bp = Blueprint.group(*(_blueprint(f) for f in FRONTENDS))
