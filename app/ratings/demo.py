"""``seed-demo``'s 好差评 and 12345 part: the demo phone's person (the one ``make run`` prints)
with rated cases (good ones, a 差评 whose 整改 is in progress, one answered and awaiting the
追评, one not rated yet) and a ticket in every state, hotline ones included.

Made through the services (the case steps through ``transitions.transition``, so timelines
are chained as in life) and only once: a second run finds the demo tickets and does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from app.cases.numbering import next_number
from app.cases.transitions import SYSTEM, Actor, record_creation, transition
from app.identity.accounts import login_or_register
from app.interfaces import PlatformIdentity
from app.ratings import rectifications, service
from app.server import DEMO_PHONE
from app.tickets import actions, trail
from app.tickets.intake import NewTicket, open_ticket
from models.cases import Case, CaseStatus
from models.catalogue import ServiceItem, ServiceItemVersion
from models.core import Department
from models.ratings import Level, RatedKind, Rectification
from models.tickets import Ticket, TicketType

MARK = "demo:"  # the demo tickets' source_ref prefix
STAFF = Actor("staff", "demo", "演示窗口")
TO_COMPLETED = (CaseStatus.submitted, CaseStatus.accepted, CaseStatus.under_review,
                CaseStatus.approved, CaseStatus.result_issued, CaseStatus.completed)


@dataclass
class DemoResult:
    cases: int = 0
    ratings: int = 0
    tickets: int = 0


def _everyone(_: int | None) -> bool:  # the demo acts as every department's staff
    return True


async def _completed_case(person_id: int, item: ServiceItem) -> Case:
    version = await ServiceItemVersion.get(id=item.published_version_id)
    async with in_transaction() as conn:
        case = await Case.create(
            number=await next_number(conn), person_id=person_id, item_id=item.id,
            item_version_id=version.id, item_name=version.name,
            department_id=item.department_id, channel="app", status=CaseStatus.draft,
            promised_limit_days=version.promised_limit_days,
            legal_limit_days=version.legal_limit_days, using_db=conn)
        await record_creation(case, actor=Actor("citizen", str(person_id)), connection=conn)
        for step in TO_COMPLETED:
            actor = SYSTEM if step is CaseStatus.submitted else STAFF
            await transition(case, step, actor=actor, reason="演示数据", connection=conn)
    return case


async def _items() -> list[ServiceItem]:
    """Published items without fees (a demo case needs no payment)."""
    out = []
    for item in await ServiceItem.filter(published=True).order_by("id"):
        version = await ServiceItemVersion.get_or_none(id=item.published_version_id)
        if version is not None and not version.fees:
            out.append(item)
    return out


async def _ratings(person_id: int, items: list[ServiceItem], result: DemoResult) -> None:
    plan = [
        (Level.very_satisfied, ["办理速度快", "全程网上办"], "不用跑腿，很方便", "done"),
        (Level.satisfied, ["指南清晰准确"], None, "done"),
        (Level.dissatisfied, ["办理时间长", "材料要求不清"], "材料说明不清楚，多跑了一次", "open"),
        (Level.very_dissatisfied, ["需要到现场"], "说好不见面审批，还是让我去了现场", "replied"),
        (None, [], None, "unrated"),  # the invitation is waiting
    ]
    for n, (level, tags, comment, stage) in enumerate(plan):
        case = await _completed_case(person_id, items[n % len(items)])
        result.cases += 1
        if level is None:
            continue
        await service.rate(person_id, RatedKind.case, case.id,
                           service.RatingInput(level, tags, comment, "app"))
        result.ratings += 1
        if stage == "replied":
            fix = await Rectification.get(rating__case_id=case.id)
            await rectifications.reply(
                fix.id, sees=_everyone, staff_id=0, measures="在办事指南中写明需要到现场核验的情形",
                text="非常抱歉！该事项需现场核验原件，我们已在指南中写明，并开通预约服务。")


async def _tickets(person_id: int, items: list[ServiceItem], result: DemoResult) -> None:
    item = items[0]
    me = Actor("citizen", str(person_id))

    async def new(tag: str, kind: TicketType, subject: str, text: str, *, routed: bool = True,
                  hotline: bool = False) -> Ticket:
        result.tickets += 1
        return await open_ticket(NewTicket(
            type=kind, subject=subject, text=text, actor=trail.HOTLINE if hotline else me,
            channel="hotline" if hotline else "app", person_id=None if hotline else person_id,
            contact_name="赵六" if hotline else None,
            contact_phone="13900139000" if hotline else None,
            item_id=item.id if routed else None,
            department_id=item.department_id if routed else None, source_ref=MARK + tag))

    async def answer(ticket: Ticket, text: str) -> None:
        await actions.reply(ticket.id, sees=_everyone, staff_id=0, text=text)

    await new("dispatching", TicketType.help, "孩子上学需要办哪些证明", "入学要哪些证明？",
              routed=False)
    await new("handling", TicketType.consult, "身份证换领要带什么材料", "换领要带哪些材料？")
    replied = await new("replied", TicketType.consult, "异地补领身份证怎么办", "外地能补领吗？")
    await answer(replied, "可以，在全国任一公安机关户籍窗口均可异地补领。")
    escalated = await new("escalated", TicketType.complaint, "窗口排队时间太长", "排了两小时")
    for text in ("已增开窗口。", "已安排专人引导。"):
        await answer(escalated, text)
        await actions.dissatisfied(escalated.id, me, "还是很慢")
    closed = await new("closed", TicketType.suggestion, "建议开通夜间服务", "下班后来不及办理")
    await answer(closed, "感谢建议，每周四已开通延时服务。")
    await actions.confirm(closed.id, me)
    # a duplicate of the one being handled, linked to it
    await new("merged", TicketType.consult, "身份证换领，要带什么材料？", "再问一次")
    await new("hotline", TicketType.complaint, "办事大厅空调不制冷", "来电人反映大厅太热",
              hotline=True)


async def seed() -> DemoResult:
    result = DemoResult()
    if await Ticket.filter(source_ref__startswith=MARK).exists():
        return result  # seeded before
    items = await _items()
    if not items or not await Department.exists():
        return result
    person_id = await login_or_register(PlatformIdentity("app", DEMO_PHONE))
    await _ratings(person_id, items, result)
    await _tickets(person_id, items, result)
    return result
