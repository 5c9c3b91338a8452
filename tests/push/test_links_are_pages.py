"""Every kind of link the backend sends or prints names a page that exists: each path of the
H5 (push templates, the WeChat dialogue and sample menu, the JPush extra, the Alipay
mini-program's web-view page, the face check's way back, the rating and 整改 links) is a
route of ``web/h5/src/router.js`` drawing a real page (not the catch-all, not a placeholder)
whose file exists, and the server answers it with the app's page; each address printed on a
certificate or shown for 亮证 answers its HTML page. Texts that leave as they are (SMS bodies,
decision documents) carry no address but those.

The browser test ``tests/browser/test_h5_links.py`` opens the same kinds of links in Chromium.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from app.decisions.templates import TEMPLATES as DOCUMENTS
from app.links import h5_base, h5_url
from app.ratings import rectifications
from app.ratings.targets import Target
from channels.alipay.notifier import mini_page
from channels.jpush.notifier import JPushNotifier
from handlers.frontends import FRONTENDS
from handlers.identity import FACE_DONE_PAGE
from models.ratings import RatedKind
from push.templates import TEMPLATES, render
from tests.cases.conftest import make_item
from tests.certificates.conftest import certificate_item, issued, verified, verifier
from tests.feedback.support import Dept, completed_case
from tests.support.h5_routes import NOWHERE, PENDING, ROUTER, page_of, routes
from tests.support.identity_flows import bearer, wechat_login

URL = re.compile(r"https?://[^\s<\]）。，]+")
PAGES = ROUTER.parent / "pages"
SAMPLE = {"case_id": 17, "ticket_id": 5, "certificate_id": 3, "case_no": "2026000017",
          "item_name": "演示事项", "title": "无犯罪记录证明", "number": "N-1",
          "type_name": "咨询", "ticket_no": "T1", "subject_text": "办件", "text": "邮件已到达",
          "amount_fen": 1500, "appointment_id": 9, "reason": "材料不清晰",
          "deadline_text": "2026年12月1日"}


def _targets() -> list[Target]:
    return [Target(RatedKind.case, 17, "2026000017", 1, 1, "演示事项"),
            Target(RatedKind.ticket, 5, "T1", 1, None, None)]


def template_links() -> set[str]:
    """Every template's link, with each value its emitters put in ``{link}``."""
    found: set[str] = set()
    for key, template in TEMPLATES.items():
        if not template.link or key in PENDING:
            continue
        links = [rectifications.link(t) for t in _targets()] if "{link}" in template.link \
            else [None]
        for link in links:
            rendered = render(key, {**SAMPLE, "link": link} if link else SAMPLE)
            if rendered.link:
                found.add(rendered.link)
    found.add("/cases/17")  # push.direct: staff's message to the person of one case
    return found


def test_the_route_table_names_real_pages() -> None:
    table = routes()
    for route in table:
        assert (PAGES / f"{route.page}.vue").is_file(), route
    assert page_of("/tickets/new", table) == "TicketNew"
    assert page_of("/nothing/here", table) == "NotFound"
    assert set(PENDING) <= set(TEMPLATES), "a pending entry names no template any more"


def test_template_links_and_texts() -> None:
    for link in template_links():
        assert link.startswith("/") and page_of(link) not in NOWHERE, link
    for key in TEMPLATES:  # SMS sends title and body as they are
        r = render(key, {**SAMPLE, "link": "/cases/17", "title": "标题", "body": "正文"})
        assert not URL.findall(r.title + r.body), key
    for kind, doc in DOCUMENTS.items():
        assert not URL.findall(doc.title + "".join(doc.paragraphs)), kind


def test_platform_wrappers_keep_the_page(settings: Any) -> None:
    base = h5_base(settings) + "/"
    for link in template_links():
        page = mini_page(settings, link)
        assert page is not None and page.startswith(settings.alipay_webview_page + "?url=")
        [url] = parse_qs(urlsplit(page).query)["url"]
        assert url == h5_url(settings, link) and url.startswith(base)
        assert JPushNotifier(None, settings=settings)._absolute(link) == url  # type: ignore[arg-type]
    assert mini_page(settings, "pages/case/index?id=1") == "pages/case/index?id=1"
    assert mini_page(settings, None) is None


async def _say(wechat_sim: str, openid: str, kind: str, **body: Any) -> str:
    async with httpx.AsyncClient(timeout=10) as sim:
        r = await sim.post(f"{wechat_sim}/_sim/send/{kind}", json={"openid": openid, **body})
        r.raise_for_status()
        return str(r.json()["reply"] or "")


async def _dialogue_links(api: Any, server: Any, sims: Any, settings: Any, staff: Any
                          ) -> set[str]:
    openid = "o" + uuid.uuid4().hex[:27]
    login = await wechat_login(api, sims["wechat"].base_url, settings.public_base_url, openid)
    assert login.status_code == 200, login.text
    headers = bearer(login.json()["access_token"])
    clerk = await staff(roles=["clerk", "reviewer"], department=f"W{uuid.uuid4().hex[:6]}")
    item = await make_item(clerk.department_id, required_realname_level=0)
    await server.app.ctx.catalogue.bump()
    dept = Dept(clerk.department_code, clerk.department_id, clerk, item)
    case = await completed_case(api, headers, dept)
    wechat = sims["wechat"].base_url
    replies = [
        await _say(wechat, openid, "subscribe"),
        await _say(wechat, openid, "text", content=f"进度 {case['number']}"),
        await _say(wechat, openid, "click", key="MY_CASES"),
        await _say(wechat, openid, "text", content=f"指南 {dept.item['name']}"),
        await _say(wechat, openid, "text", content="指南"),
        await _say(wechat, openid, "text", content=f"评价 {case['number']}"),
        await _say(wechat, openid, "text", content="咨询 身份证换领要带什么材料"),
        await _say(wechat, "o" + uuid.uuid4().hex[:27], "text", content="绑定"),
    ]
    said = {u.rstrip(".,") for reply in replies for u in URL.findall(reply)}
    for part in ("/h5/cases/", "/h5/wechat/bind", "/h5/guide/", "/rate", "/h5/tickets/"):
        assert any(part in u for u in said), (part, said)
    return said


async def test_every_link_opens_a_page(api: Any, server: Any, sims: Any, settings: Any,
                                       staff: Any, citizen: Any) -> None:
    base = h5_base(settings)
    absolute = {h5_url(settings, link) for link in template_links()}
    absolute.add(h5_url(settings, FACE_DONE_PAGE))
    absolute |= await _dialogue_links(api, server, sims, settings, staff)
    absolute.add(settings.public_base_url.rstrip("/") + "/h5/")  # the sample menu's 网上办事大厅

    built = (FRONTENDS[0].dist / "index.html").is_file()
    for url in sorted(absolute):
        assert url.startswith(base + "/") or url == base + "/", url
        path = url[len(base):] or "/"
        assert page_of(path) not in NOWHERE, url
        r = await api.get(urlsplit(url).path)
        # the server answers every page of the app with its index (history fallback)
        assert r.status_code == (200 if built else 503), (url, r.status_code)
        assert r.headers["content-type"].startswith("text/html"), url

    # what a certificate prints and what 亮证 shows: the public verify pages
    person = await verified(api, citizen, sims)
    clerk = await staff(roles=["clerk"], department=f"K{uuid.uuid4().hex[:6]}")
    reviewer = await staff(roles=["reviewer", "clerk"], department=clerk.department_code)
    item = await certificate_item(clerk.department_id)
    cert = await issued(api, person, {"clerk": clerk, "reviewer": reviewer}, item)
    shown = await api.post(f"/api/v1/licences/cert:{cert['id']}/show", headers=person.headers)
    assert shown.status_code == 201, shown.text
    public = settings.public_base_url.rstrip("/")
    for url in (public + cert["verify_url"], cert["qr_text"], shown.json()["qr_text"]):
        assert url.startswith(public + "/verify/"), url
        headers = {k: v for k, v in verifier().items() if k != "Accept"}
        r = await api.get(urlsplit(url).path, headers=headers)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), url
        assert "真实有效" in r.text, url
