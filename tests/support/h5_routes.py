"""The citizen H5's route table, read from ``web/h5/src/router.js``, so a Python test can tell
whether a link the backend sends names a page the single-page app draws.

Read with a regular expression rather than by running the router under Node: the table is
one object per line (``{ path: '/cases/:id', component: page('CaseDetail'), … }``), and a
route added in another form fails :func:`routes` loudly instead of passing unseen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROUTER = Path(__file__).resolve().parents[2] / "web" / "h5" / "src" / "router.js"
_ROUTE = re.compile(r"^\s*\{\s*path:\s*'(?P<path>[^']*)',\s*(?P<rest>.*)$")
_PAGE = re.compile(r"component:\s*page\('(?P<name>\w+)'\)")
# pages that are no page: the catch-all, and the placeholder of one not built yet
NOWHERE = frozenset({"NotFound", "Soon"})
# templates whose page another change is still adding (who, what): not checked until it lands;
# an entry here is a link that 404s today, so it is removed with the page
PENDING: dict[str, str] = {}


@dataclass(frozen=True)
class Route:
    path: str  # as vue-router writes it: /cases/:id
    page: str  # the component's file name under pages/

    @property
    def pattern(self) -> re.Pattern[str]:
        if self.path.startswith("/:rest"):
            return re.compile(r"^/.*$")
        parts = [r"[^/]+" if p.startswith(":") else re.escape(p)
                 for p in self.path.strip("/").split("/") if p]
        return re.compile("^/" + "/".join(parts) + "/?$")


def routes() -> list[Route]:
    found: list[Route] = []
    for line in ROUTER.read_text(encoding="utf-8").splitlines():
        m = _ROUTE.match(line)
        if not m:
            continue
        rest = m["rest"]
        page = _PAGE.search(rest)
        if page:
            found.append(Route(m["path"], page["name"]))
        elif "soon(" in rest:
            found.append(Route(m["path"], "Soon"))
        else:
            raise AssertionError(f"a route of router.js in a form this reader does not know: "
                                 f"{line.strip()}")
    assert found and found[-1].page == "NotFound", "router.js: the catch-all must come last"
    return found


def page_of(path: str, table: list[Route] | None = None) -> str:
    """The page that an H5 path (relative to ``/h5``, query and fragment ignored) opens;
    static segments win over parameters, as in vue-router's ranking."""
    path = urlsplit(path).path or "/"
    candidates = [r for r in (table or routes()) if r.pattern.match(path)]
    if not candidates:
        return "NotFound"

    def rank(r: Route) -> tuple[bool, int]:
        segs = [s for s in r.path.split("/") if s]
        return (r.path.startswith("/:rest"), -sum(1 for s in segs if not s.startswith(":")))

    return min(candidates, key=rank).page
