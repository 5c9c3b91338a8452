"""Every link the backend sends opens a page of the H5 that renders: the push templates'
links (relative to the H5 root, made absolute by ``app.links.h5_url``), every link in the
WeChat dialogue's answers (through the simulator, as WeChat delivers them) and the sample
menu's pages. A 404 page, a page that failed to load, or an HTTP error fails the test."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from app.links import h5_url
from push.templates import TEMPLATES
from tests.cases.conftest import filed_case, make_item
from tests.certificates.conftest import Person, certificate_item, issued
from tests.support.h5_routes import PENDING
from tests.support.identity_flows import consent, known_person, verify_l2, wechat_login

URL = re.compile(r"https?://[^\s<\]]+")
MENU = Path(__file__).resolve().parents[2] / "channels" / "wechat" / "menu.sample.json"


async def _say(wechat_sim: str, openid: str, kind: str, **body: Any) -> str:
    async with httpx.AsyncClient(timeout=10) as sim:
        r = await sim.post(f"{wechat_sim}/_sim/send/{kind}", json={"openid": openid, **body})
        r.raise_for_status()
        return str(r.json()["reply"] or "")


def _menu_pages(node: Any) -> list[str]:
    found = []
    for button in node.get("button", node.get("sub_button", [])):
        if button.get("type") == "view":
            found.append(urlsplit(button["url"]).path)
        found += _menu_pages(button)
    return found


@pytest.mark.timeout(300)  # many pages, on a shared two-core machine
async def test_every_link_the_backend_sends_opens_a_page(
    phone: Any, api: Any, server: Any, sims: Any, settings: Any, staff: Any
) -> None:
    openid = "o" + uuid.uuid4().hex[:27]
    login = await wechat_login(api, sims["wechat"].base_url, settings.public_base_url, openid)
    assert login.status_code == 200, login.text
    tokens = login.json()
    clerk = await staff(roles=["clerk"], department=f"L{uuid.uuid4().hex[:6]}")
    item = await make_item(clerk.department_id, required_realname_level=0)
    await server.app.ctx.catalogue.bump()
    case = await filed_case(api, {"Authorization": f"Bearer {tokens['access_token']}"}, item)

    # the person's own ticket and certificate, as the messages that link to them are theirs
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    r = await api.post("/api/v1/tickets", headers=headers, json={
        "type": "consult", "subject": "办理进度咨询", "text": "请问多久能办好？",
        "item_code": item["code"]})
    assert r.status_code == 201, r.text
    ticket_id = r.json()["id"]
    name, number = await known_person(sims["idcheck"].base_url)
    await consent(api, headers, "realname")
    assert (await verify_l2(api, headers, name, number)).status_code == 200
    reviewer = await staff(roles=["reviewer", "clerk"], department=clerk.department_code)
    cert = await issued(api, Person(SimpleNamespace(headers=headers), name, number),
                        {"clerk": clerk, "reviewer": reviewer},
                        await certificate_item(clerk.department_id))

    values = {"case_id": case["id"], "ticket_id": ticket_id, "certificate_id": cert["id"]}
    rated = [f"/cases/{case['id']}/rate", f"/tickets/{ticket_id}", "/messages"]
    links: set[str] = set()
    for key, t in TEMPLATES.items():
        if key in PENDING:
            continue
        # {link}: a 整改 or 申诉 message names the rated case's or ticket's page
        for link in (rated if t.link == "{link}" else [t.link] if t.link else []):
            links.add(h5_url(settings, link.format_map(values)))

    wechat = sims["wechat"].base_url
    replies = [
        await _say(wechat, openid, "subscribe"),
        await _say(wechat, openid, "text", content=f"进度 {case['number']}"),
        await _say(wechat, openid, "click", key="MY_CASES"),
        await _say(wechat, openid, "text", content=f"指南 {item['name']}"),
        await _say(wechat, openid, "text", content="指南"),
        await _say(wechat, "o" + uuid.uuid4().hex[:27], "text", content="进度 2026000001"),
    ]
    said = {u.rstrip("。，,.") for reply in replies for u in URL.findall(reply)}
    assert any("/h5/cases/" in u for u in said) and any("/h5/wechat/bind" in u for u in said)
    assert any("/h5/guide/" in u for u in said), said
    links |= said
    menu = json.loads(MENU.read_text(encoding="utf-8"))
    links |= {server.base_url + path for path in _menu_pages(menu)}

    root = f"{server.base_url}/h5/"
    assert all(u.startswith(root) for u in links), sorted(links)
    p = await phone(tokens=tokens)
    for n, link in enumerate(sorted(links)):
        response = await p.page.goto(link)
        assert response is not None and response.status == 200, link
        name = await p.rendered()
        assert name != "not-found", link
        assert not await p.page.locator(".load-error").count(), link
        await p.shot(f"30-link-{n:02d}-{name}")
