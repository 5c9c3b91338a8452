"""What the account says back: keyword, menu and QR-scene answers (read-only, Chinese).

A core service that fails is answered with an apology (``answer`` never raises), so the
account keeps talking while cases, catalogue or identity are in trouble.
"""

from __future__ import annotations

import logging
import re

from app.cases.queries import find_case_for_person, list_for_person, public_progress
from app.catalogue.service import search_items
from app.identity.accounts import find_person_by_account
from app.links import h5_url
from app.ratings.content import LEVEL_NAMES
from app.ratings.targets import RATEABLE_CASES
from app.settings import Settings
from app.tickets.service import TicketInput, create
from app.tickets.words import STATE_NAMES, TYPES_BY_NAME
from channels.wechat.messages import Command, Intent
from models.cases import Case, CaseStatus
from models.ratings import Level, Rating
from models.tickets import Ticket

log = logging.getLogger("zsb.wechat")

# pages of the H5, relative to its root (app.links.h5_url makes them absolute)
BIND_PAGE = "/wechat/bind"  # starts web OAuth with a signed state
CASES_PAGE = "/cases"
GUIDE_PAGE = "/guide"
CASE_NO = re.compile(r"^[A-Za-z0-9-]{4,40}$")

HELP = (
    "您好，这里是掌上办。您可以回复：\n"
    "• 进度 办件编号 —— 查询本人办件进度\n"
    "• 评价 办件编号 —— 对已办结的办件作出评价\n"
    "• 咨询/投诉/建议/求助/举报 内容 —— 提交诉求，例如“咨询 身份证换领要带什么”\n"
    "• 指南 关键词 —— 查找办事指南，例如“指南 身份证”\n"
    "• 绑定 —— 绑定掌上办账号"
)
CONTACT = (
    "联系我们：政务服务便民热线 12345（工作日 8:30–17:30）。\n"
    "也可在“我的办件”中留言，我们会尽快答复。"
)
UNAVAILABLE = "服务暂时繁忙，请稍后再试。"


def bind_link(settings: Settings) -> str:
    return h5_url(settings, BIND_PAGE)


def welcome(settings: Settings) -> str:
    return (
        "欢迎关注掌上办！办事指南、在线申请、进度查询，一次认证、全网通办。\n"
        f"请先绑定账号：{bind_link(settings)}\n\n{HELP}"
    )


def how_to_bind(settings: Settings) -> str:
    return f"您的微信尚未绑定掌上办账号，只能查询本人的办件。\n请点击绑定：{bind_link(settings)}"


async def _person(openid: str) -> int | None:
    return await find_person_by_account("wechat", openid)


async def _own_case(keyword: str, case_no: str, openid: str, settings: Settings
                    ) -> Case | str:
    """The bound person's case named ``case_no`` ("<keyword> <办件编号>"), or the answer that
    says why there is none to speak of."""
    if not case_no:
        return f"请回复“{keyword} 办件编号”，例如：{keyword} 202611220000017"
    if not CASE_NO.match(case_no):
        return "办件编号格式不正确，请核对后重新发送。"
    person_id = await _person(openid)
    if person_id is None:
        return how_to_bind(settings)
    case = await find_case_for_person(case_no, person_id)
    if case is None:
        return f"未找到编号为 {case_no} 的本人办件，请核对编号。"
    return case


async def progress(case_no: str, openid: str, settings: Settings) -> str:
    case = await _own_case("进度", case_no, openid, settings)
    if isinstance(case, str):
        return case
    return (
        f"办件编号：{case.number}\n事项：{getattr(case, 'item_name', '')}\n"
        f"当前进度：{public_progress(case)}\n"
        f"详情：{h5_url(settings, f'{CASES_PAGE}/{case.number}')}"
    )


async def my_cases(openid: str, settings: Settings) -> str:
    person_id = await _person(openid)
    if person_id is None:
        return how_to_bind(settings)
    cases, total = await list_for_person(person_id, limit=5)
    if not cases:
        return "您还没有办件。回复“指南 关键词”查找要办的事项。"
    lines = [f"您共有 {total} 件办件，最近的：" if total > len(cases) else "您的办件："]
    lines += [f"{c.number} {getattr(c, 'item_name', '')}：{public_progress(c)}" for c in cases]
    lines.append(f"全部办件：{h5_url(settings, CASES_PAGE)}")
    return "\n".join(lines)


async def guide(keyword: str, settings: Settings) -> str:
    everything = h5_url(settings, GUIDE_PAGE)
    if not keyword:
        return f"请回复“指南 关键词”，例如：指南 身份证\n也可浏览全部事项：{everything}"
    items = await search_items(keyword, 5)
    if not items:
        return f"没有找到与“{keyword}”相关的事项，换个关键词试试，或浏览：{everything}"
    lines = [f"与“{keyword}”相关的事项："]
    for n, item in enumerate(items, 1):
        url = h5_url(settings, item.get("url") or f"{GUIDE_PAGE}/{item['code']}")
        lines.append(f"{n}. {item['name']}（{item.get('department', '')}）\n{url}")
    return "\n".join(lines)


async def bind(openid: str, settings: Settings) -> str:
    if await _person(openid) is not None:
        return "您的微信已绑定掌上办账号，可回复“进度 办件编号”查询办件。"
    return f"请点击链接完成绑定（需微信授权）：{bind_link(settings)}"


async def rate(case_no: str, openid: str, settings: Settings) -> str:
    """评价 <办件编号>: how to rate the case (the rating itself is given on the H5 page)."""
    case = await _own_case("评价", case_no, openid, settings)
    if isinstance(case, str):
        return case
    link = h5_url(settings, f"/cases/{case.id}/rate")
    rating = await Rating.get_or_none(case_id=case.id, person_id=case.person_id)
    if rating is not None:
        return (f"您已对办件 {case.number} 作出评价：{LEVEL_NAMES[Level(rating.level)]}。\n"
                f"查看或修改：{link}")
    if case.status == CaseStatus.withdrawn:
        return f"办件 {case.number} 已撤回，不能评价。"
    if case.status not in RATEABLE_CASES:
        return f"办件 {case.number} 办结后即可评价，当前进度：{public_progress(case)}。"
    return (f"欢迎对办件 {case.number}（{case.item_name}）作出评价（好差评）：\n{link}\n"
            "五个等级可选，差评将由办理部门在15个工作日内整改答复。")


def ticket_ref(dedupe_key: str) -> str:
    """A chat message's mark on the ticket it opened (one message, one ticket)."""
    return f"wechat:{dedupe_key}"[:96]


async def open_ticket(cmd: Command, openid: str, dedupe_key: str) -> None:
    """咨询/投诉/… <内容>: open a 12345 ticket for the bound person, once per message."""
    person_id = await _person(openid)
    if person_id is None or len(cmd.arg.strip()) < 2:
        return  # the reply says why nothing was opened
    text = cmd.arg.strip()
    await create(person_id, TicketInput(
        type=TYPES_BY_NAME[cmd.keyword], subject=text.splitlines()[0][:30], text=text,
        channel="wechat", source_ref=ticket_ref(dedupe_key)))


async def ticket_answer(cmd: Command, openid: str, dedupe_key: str, settings: Settings) -> str:
    """The reply to a ticket keyword: the ticket it opened; never raises."""
    try:
        return await _ticket_answer(cmd, openid, dedupe_key, settings)
    except Exception:
        log.exception("wechat ticket answer failed")
        return UNAVAILABLE


async def _ticket_answer(cmd: Command, openid: str, dedupe_key: str, settings: Settings) -> str:
    if len(cmd.arg.strip()) < 2:
        return f"请回复“{cmd.keyword} 内容”，例如：{cmd.keyword} 身份证换领需要带哪些材料"
    person_id = await _person(openid)
    if person_id is None:
        return how_to_bind(settings)
    ticket = await Ticket.get_or_none(source_ref=ticket_ref(dedupe_key))
    if ticket is None:
        return UNAVAILABLE
    due = f"，将于{ticket.due_date:%Y年%m月%d日}前答复" if ticket.due_date else ""
    return (f"已收到您的{cmd.keyword}，工单编号 {ticket.number}（{STATE_NAMES[ticket.state]}）"
            f"{due}。\n查看进展：{h5_url(settings, f'/tickets/{ticket.id}')}")


async def answer(cmd: Command, openid: str, settings: Settings) -> str:
    """The reply text for one routed command; never raises."""
    try:
        if cmd.intent is Intent.PROGRESS:
            return await progress(cmd.arg, openid, settings)
        if cmd.intent is Intent.MY_CASES:
            return await my_cases(openid, settings)
        if cmd.intent is Intent.GUIDE:
            return await guide(cmd.arg, settings)
        if cmd.intent is Intent.BIND:
            return await bind(openid, settings)
        if cmd.intent is Intent.CONTACT:
            return CONTACT
        if cmd.intent is Intent.RATE:
            return await rate(cmd.arg, openid, settings)
        return HELP
    except Exception:
        log.exception("wechat answer failed", extra={"intent": str(cmd.intent)})
        return UNAVAILABLE
