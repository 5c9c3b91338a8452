"""Staff accounts (窗口 / 审批 / 运营 / admin), each scoped to one department."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.errors import Unauthorized
from app.kv import KeyValue
from app.security.passwords import hash_password, verify_password
from models.core import Department, StaffAccount


class Role(StrEnum):
    """Staff roles; a token carries their values. Add a new role here and nowhere else."""

    clerk = "clerk"  # 窗口
    reviewer = "reviewer"  # 审批
    operator = "operator"  # 运营
    approver = "approver"  # 批准: the last step of an item's sign-off chain (签批)
    admin = "admin"
    # 督查: decides 好差评 申诉, watches overdue 整改 and 督办 tickets, reads the 电子监察
    # figures of every department (never their cases)
    supervisor = "supervisor"
    dispatcher = "dispatcher"  # 12345 派单: assigns tickets no department holds yet


ROLES: tuple[str, ...] = tuple(Role)


@dataclass(frozen=True)
class StaffPrincipal:
    """The staff member a request acts for, as the token says (``@staff_required``)."""

    id: int
    roles: tuple[str, ...]
    department_id: int

    def has_any(self, *roles: str) -> bool:
        """An admin holds every role."""
        return Role.admin in self.roles or any(r in self.roles for r in roles)

    @property
    def department_scope(self) -> int | None:
        """The department-scope rule, said once: admins see every department's data
        (``None``: no limit), other staff only their own department's."""
        return None if Role.admin in self.roles else self.department_id

    def sees_department(self, department_id: int | None) -> bool:
        """Whether data of ``department_id`` is this person's to see (by ``department_scope``)."""
        scope = self.department_scope
        return scope is None or department_id == scope

    @property
    def supervision_scope(self) -> int | None:
        """The scope of supervision figures (电子监察), said once: supervisors and admins see
        every department's figures (``None``), others only their own department's. Wider than
        ``department_scope`` on purpose: a supervisor reads figures, never cases."""
        if Role.admin in self.roles or Role.supervisor in self.roles:
            return None
        return self.department_id


MAX_FAILED_LOGINS = 10  # attempts per username within LOCK_SECONDS
LOCK_SECONDS = 15 * 60


async def create_staff_account(
    username: str,
    password: str,
    roles: list[str],
    department_code: str,
    display_name: str | None = None,
) -> StaffAccount:
    dept = await Department.get_or_none(code=department_code)
    if dept is None:
        raise LookupError(f"no department {department_code}; create it first")
    staff, _ = await StaffAccount.update_or_create(
        username=username,
        defaults={
            "display_name": display_name or username,
            "password_hash": hash_password(password),
            "roles": sorted(set(roles)),
            "department": dept,
            "active": True,
        },
    )
    return staff


async def update_staff_account(
    staff: StaffAccount,
    *,
    password: str | None = None,
    roles: list[str] | None = None,
    department_code: str | None = None,
    display_name: str | None = None,
    active: bool | None = None,
) -> list[str]:
    """Change what is given; answer what changed, in words (a password only as "changed")."""
    changes: list[str] = []
    await staff.fetch_related("department")
    if department_code is not None and staff.department.code != department_code:
        dept = await Department.get_or_none(code=department_code)
        if dept is None:
            raise LookupError(f"no department {department_code}; create it first")
        changes.append(f"department {staff.department.code} → {dept.code}")
        staff.department = dept
    if roles is not None and sorted(set(roles)) != sorted(staff.roles):
        changes.append(f"roles {', '.join(staff.roles)} → {', '.join(sorted(set(roles)))}")
        staff.roles = sorted(set(roles))
    if display_name is not None and display_name != staff.display_name:
        changes.append(f"name {staff.display_name} → {display_name}")
        staff.display_name = display_name
    if active is not None and active != staff.active:
        changes.append("active → " + ("yes" if active else "no"))
        staff.active = active
    if password is not None:
        changes.append("password changed")
        staff.password_hash = hash_password(password)
    if changes:
        await staff.save()
    return changes


def login_attempts_key(username: str) -> str:
    return f"staff-login:{username.lower()[:64]}"


async def authenticate_staff(username: str, password: str, kv: KeyValue) -> StaffAccount:
    """Every attempt is counted before the password is checked (an atomic kv increment), so
    guesses sent at once share the same ``MAX_FAILED_LOGINS``; the lock lifts by itself after
    ``LOCK_SECONDS`` instead of shutting the account for good."""
    key = login_attempts_key(username)
    attempts = await kv.incr(key, ex=LOCK_SECONDS)
    staff = await StaffAccount.get_or_none(username=username)
    if staff is None or not staff.active or attempts > MAX_FAILED_LOGINS:
        # the same answer for every reason, so it tells nothing about which accounts exist
        raise Unauthorized("用户名或密码错误", code="LOGIN_FAILED")
    # argon2 takes tens of milliseconds on purpose: keep it off the event loop
    if not await asyncio.to_thread(verify_password, staff.password_hash, password):
        raise Unauthorized("用户名或密码错误", code="LOGIN_FAILED")
    await kv.delete(key)
    return staff


def staff_claims(staff: StaffAccount) -> dict[str, Any]:
    return {"roles": list(staff.roles), "dept": staff.department_id}


async def staff_claims_for(staff_id: int) -> dict[str, Any]:
    staff = await StaffAccount.get(id=staff_id)
    if not staff.active:
        raise Unauthorized("账号已停用", code="ACCOUNT_DISABLED")
    return staff_claims(staff)
