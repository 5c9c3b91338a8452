"""One payment for a 一件事: the order of the first member with fees due carries the fee lines
of every member then due (one line per fee, each with its 执收单位), and its payment settles
them all in the payment's own transaction.

Fees due after approval (``fee_timing`` "approval") fall due member by member, at each
department's own pace, and are paid with each member's own order.
"""

from __future__ import annotations

from typing import Any, cast

from tortoise.backends.base.client import BaseDBAsyncClient

from app.cases.transitions import Actor, transition
from app.catalogue.fees import fee_lines
from app.errors import Conflict
from models.bundles import BundleMember
from models.cases import Case, CaseStatus
from models.catalogue import ServiceItemVersion


async def _due_members(case_id: int, conn: BaseDBAsyncClient) -> list[Case] | None:
    member = await BundleMember.get_or_none(case_id=case_id, using_db=conn)
    if member is None:
        return None
    ids = cast(list[int], await BundleMember.filter(  # flat: ints, not tuples
        application_id=member.application_id).order_by("position").using_db(conn)
        .values_list("case_id", flat=True))
    cases = {c.id: c for c in await Case.filter(id__in=list(ids), status=CaseStatus.fee_due,
                                                fee_stage="submission").using_db(conn)}
    return [cases[i] for i in ids if i in cases]


async def order_lines(case: Case, conn: BaseDBAsyncClient) -> list[dict[str, Any]] | None:
    """The fee lines of an order for ``case``: None when it is no 一件事 member paying fees due
    at submission (its own lines then); 409 for a member whose fees another member's order
    carries."""
    due = await _due_members(case.id, conn)
    if not due or case.fee_stage != "submission":
        return None
    if due[0].id != case.id:
        raise Conflict("请在一件事申请中统一缴费", code="BUNDLE_PAY_TOGETHER",
                       fields={"case_id": due[0].id})
    versions = {v.id: v for v in await ServiceItemVersion.filter(
        id__in=[c.item_version_id for c in due]).using_db(conn)}
    return [line for c in due
            for line in fee_lines(versions[c.item_version_id], c.delivery)]


async def settle_members(case_id: int, out_trade_no: str, channel: str,
                         conn: BaseDBAsyncClient) -> int:
    """After the paying member moved to paid: the other members its order paid for."""
    due = await _due_members(case_id, conn)
    for c in due or []:
        await transition(c, CaseStatus.paid, actor=Actor("platform", channel),
                         reason="一件事合并缴费完成", data={"out_trade_no": out_trade_no},
                         connection=conn)
    return len(due or [])
