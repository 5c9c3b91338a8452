"""Sign-off chains (签批流程) as items define them: the steps an approval or a denial passes, in
order, each a role and optionally one named person (or the case's 承办人).

An item without a chain is decided by one reviewer, as before. A case copies its item's chain
at its first signature (``CaseChain``), so an edit of the item's chain leaves cases already
on their way alone.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from app.catalogue.service import ItemNotFound
from app.errors import ValidationFailed
from app.staff import Role, StaffPrincipal
from models.catalogue import ServiceItem
from models.core import AuditLog, StaffAccount
from models.handling import CaseChain, SignoffChain

# the roles a step may ask for (an admin holds every role, so "admin" adds nothing)
STEP_ROLES = (Role.clerk, Role.reviewer, Role.approver)


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=16, description="e.g. 承办, 审核, 批准")
    role: Role = Field(description="clerk, reviewer or approver")
    staff_id: int | None = Field(default=None, ge=1, description="the one person who signs")
    handler: bool = Field(default=False, description="the case's 承办人 signs this step")

    @model_validator(mode="after")
    def _one_signer(self) -> StepIn:
        if self.role not in STEP_ROLES:
            raise ValueError("role must be clerk, reviewer or approver")
        if self.handler and self.staff_id is not None:
            raise ValueError("a step names a person or the handler, not both")
        return self


class ChainIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    steps: list[StepIn] = Field(max_length=8, description="empty: no chain (one reviewer)")

    @model_validator(mode="after")
    def _names(self) -> ChainIn:
        names = [s.name for s in self.steps]
        if len(names) != len(set(names)):
            raise ValueError("step names must be unique")
        if len(self.steps) == 1:
            raise ValueError("a chain has at least two steps (none: one reviewer decides)")
        return self


async def item_for_staff(code: str, staff: StaffPrincipal) -> ServiceItem:
    item = await ServiceItem.get_or_none(code=code)
    if item is None or not staff.sees_department(item.department_id):
        raise ItemNotFound("事项不存在")
    return item


async def steps_of_item(
    item_id: int, conn: BaseDBAsyncClient | None = None
) -> list[dict[str, Any]]:
    row = await SignoffChain.get_or_none(item_id=item_id, using_db=conn)
    return list(row.steps) if row else []


async def set_chain(code: str, chain: ChainIn, staff: StaffPrincipal) -> list[dict[str, Any]]:
    """Replace an item's chain (an admin of the item's department; audited)."""
    item = await item_for_staff(code, staff)
    department_id: int = item.department_id
    named = {s.staff_id for s in chain.steps if s.staff_id is not None}
    if named:
        found = {a.id: a for a in await StaffAccount.filter(
            id__in=list(named), department_id=department_id, active=True)}
        for i, step in enumerate(chain.steps):
            account = found.get(step.staff_id) if step.staff_id else None
            if step.staff_id is not None and (
                account is None or not ({step.role.value, Role.admin.value} & set(account.roles))
            ):
                raise ValidationFailed(
                    "指定的签批人不是本部门具有该角色的在职人员", code="SIGNER_INVALID",
                    fields={f"steps.{i}.staff_id": "不符合要求"})
    steps = [s.model_dump(mode="json") for s in chain.steps]
    async with in_transaction() as conn:
        if steps:
            await SignoffChain.update_or_create(
                item_id=item.id, defaults={"steps": steps, "updated_by": staff.id},
                using_db=conn)
        else:
            await SignoffChain.filter(item_id=item.id).using_db(conn).delete()
        await AuditLog.create(actor_kind="staff", actor_id=str(staff.id),
                              action="item.signoff_chain", target=f"item:{code}",
                              detail={"steps": steps}, using_db=conn)
    return steps


async def has_chain(case_id: int, item_id: int, conn: BaseDBAsyncClient | None = None) -> bool:
    """Whether a decision on this case must pass a sign-off chain."""
    if await CaseChain.filter(case_id=case_id).using_db(conn).exists():
        return True
    return bool(await steps_of_item(item_id, conn))
