"""The one link builder: a page of the citizen H5 as an absolute address.

Push templates, inbox rows and the WeChat dialogue keep links relative to the H5 root
(``/cases/17``, ``/guide/GA-001``, ``/wechat/bind``), so the inbox can route them inside the
single-page app and a change of host is one setting (``ZSB_H5_BASE_URL``, falling back to
``ZSB_PUBLIC_BASE_URL``). Whatever leaves for a platform (a WeChat template's ``url``, a JPush
extra, a chat reply) goes through :func:`h5_url`.
"""

from __future__ import annotations

from typing import Protocol

H5_ROOT = "/h5"
CONSOLE_ROOT = "/console"


class _HasBases(Protocol):
    @property
    def public_base_url(self) -> str: ...

    @property
    def h5_base_url(self) -> str: ...


def h5_base(settings: _HasBases) -> str:
    """``https://host/h5`` without a trailing slash."""
    return (settings.h5_base_url or settings.public_base_url).rstrip("/") + H5_ROOT


def h5_url(settings: _HasBases, link: str) -> str:
    """An absolute address for ``link``: a path relative to the H5 root becomes a page under
    ``{base}/h5``; an absolute ``http(s)`` address (a campaign's outside page) is kept."""
    if link.startswith(("https://", "http://")):
        return link
    if link.startswith(H5_ROOT + "/") or link == H5_ROOT:  # written with the root already
        link = link[len(H5_ROOT):]
    return h5_base(settings) + "/" + link.lstrip("/")


def maybe_h5_url(settings: _HasBases, link: str | None) -> str | None:
    return h5_url(settings, link) if link else None


def on_h5(settings: _HasBases, url: str) -> bool:
    """Whether ``url`` is a page of our H5 (OAuth and face redirects may only come back here)."""
    return url.startswith(h5_base(settings) + "/")
