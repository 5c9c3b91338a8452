"""Staff administration (admins only): departments, staff accounts, roles, deactivation and
password resets. Every change is audited; a change to what a person may do (roles,
department, deactivation, a new password) revokes their logins at once, since access tokens
carry the roles and department they were issued with.

Passwords are hashed off the event loop (argon2 costs tens of milliseconds on purpose) and
never logged; a reset without a password given answers a random one, once.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app import clock
from app.errors import Conflict, NotFound
from app.kv import KeyValue
from app.security.passwords import hash_password
from app.security.tokens import revoke_subject
from app.staff import Role, StaffPrincipal, login_attempts_key
from models.core import AuditLog, Department, StaffAccount

MIN_PASSWORD = 10


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DepartmentIn(_In):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    name: str = Field(min_length=2, max_length=128)
    region_code: str = Field(default="", max_length=12)
    phone: str = Field(default="", max_length=64)
    address: str = Field(default="", max_length=255)


class DepartmentPatch(_In):
    name: str | None = Field(default=None, min_length=2, max_length=128)
    region_code: str | None = Field(default=None, max_length=12)
    phone: str | None = Field(default=None, max_length=64)
    address: str | None = Field(default=None, max_length=255)


def _roles(value: list[Role] | None) -> list[Role] | None:
    return sorted(set(value)) if value is not None else None


class AccountIn(_In):
    username: str = Field(pattern=r"^[A-Za-z0-9_.-]{3,64}$")
    display_name: str = Field(min_length=1, max_length=64)
    department_id: int = Field(ge=1)
    roles: list[Role] = Field(min_length=1, max_length=len(Role))
    password: str | None = Field(default=None, min_length=MIN_PASSWORD, max_length=256,
                                 description="none: a random one is answered, once")
    unique_roles = field_validator("roles")(_roles)


class AccountPatch(_In):
    display_name: str | None = Field(default=None, min_length=1, max_length=64)
    department_id: int | None = Field(default=None, ge=1)
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=len(Role))
    unique_roles = field_validator("roles")(_roles)


class PasswordIn(_In):
    password: str | None = Field(default=None, min_length=MIN_PASSWORD, max_length=256)


class DeactivateIn(_In):
    reason: str = Field(min_length=2, max_length=200)


def department_view(d: Department, staff_count: int | None = None) -> dict[str, Any]:
    return {"id": d.id, "code": d.code, "name": d.name, "region_code": d.region_code,
            "phone": d.phone, "address": d.address, "staff_count": staff_count}


def account_view(a: StaffAccount) -> dict[str, Any]:
    return {"id": a.id, "username": a.username, "display_name": a.display_name,
            "roles": list(a.roles), "department_id": a.department_id,
            "active": a.active, "created_at": clock.iso(a.created_at)}


async def _audit(admin: StaffPrincipal, action: str, target: str, conn: Any,
                 **detail: Any) -> None:
    await AuditLog.create(actor_kind="staff", actor_id=str(admin.id), action=action,
                          target=target, detail=detail, using_db=conn)


# ---- departments ----

async def departments() -> list[dict[str, Any]]:
    counts: dict[int, int] = {}
    for dept_id in await StaffAccount.filter(active=True).values_list("department_id", flat=True):
        counts[int(dept_id)] = counts.get(int(dept_id), 0) + 1  # type: ignore[call-overload]
    return [department_view(d, counts.get(d.id, 0))
            for d in await Department.all().order_by("code")]


async def create_department(data: DepartmentIn, admin: StaffPrincipal) -> dict[str, Any]:
    try:
        async with in_transaction() as conn:
            dept = await Department.create(**data.model_dump(), using_db=conn)
            await _audit(admin, "department.create", f"department:{dept.code}", conn,
                         name=dept.name)
    except IntegrityError as exc:
        raise Conflict("部门编码已存在", code="DEPARTMENT_EXISTS") from exc
    return department_view(dept, 0)


async def update_department(
    department_id: int, data: DepartmentPatch, admin: StaffPrincipal
) -> dict[str, Any]:
    changes = data.model_dump(exclude_none=True)
    async with in_transaction() as conn:
        dept = await Department.get_or_none(id=department_id, using_db=conn)
        if dept is None:
            raise NotFound("部门不存在", code="DEPARTMENT_NOT_FOUND")
        if changes:
            await Department.filter(id=dept.id).using_db(conn).update(**changes)
            await _audit(admin, "department.update", f"department:{dept.code}", conn, **changes)
    await dept.refresh_from_db()
    return department_view(dept)


# ---- accounts ----

async def accounts(
    *, department_id: int | None = None, active: bool | None = None, q: str | None = None,
    limit: int = 20, offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    qs = StaffAccount.all()
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    if active is not None:
        qs = qs.filter(active=active)
    if q:
        qs = qs.filter(Q(username__icontains=q.strip()) | Q(display_name__icontains=q.strip()))
    total = await qs.count()
    rows = await qs.order_by("department_id", "username").offset(offset).limit(limit)
    return [account_view(a) for a in rows], total


async def _account(staff_id: int, conn: Any = None) -> StaffAccount:
    account = await StaffAccount.get_or_none(id=staff_id, using_db=conn)
    if account is None:
        raise NotFound("工作人员不存在", code="STAFF_NOT_FOUND")
    return account


async def _department(department_id: int, conn: Any = None) -> Department:
    dept = await Department.get_or_none(id=department_id, using_db=conn)
    if dept is None:
        raise NotFound("部门不存在", code="DEPARTMENT_NOT_FOUND")
    return dept


async def create_account(data: AccountIn, admin: StaffPrincipal) -> dict[str, Any]:
    await _department(data.department_id)
    password = data.password or _random_password()
    hashed = await asyncio.to_thread(hash_password, password)
    try:
        async with in_transaction() as conn:
            account = await StaffAccount.create(
                username=data.username, display_name=data.display_name, password_hash=hashed,
                roles=[r.value for r in data.roles], department_id=data.department_id,
                active=True, using_db=conn)
            await _audit(admin, "staff.create", f"staff:{account.id}", conn,
                         username=account.username, roles=list(account.roles),
                         department_id=data.department_id)
    except IntegrityError as exc:
        raise Conflict("用户名已被使用", code="USERNAME_TAKEN") from exc
    out = account_view(account)
    if data.password is None:
        out["temporary_password"] = password
    return out


async def update_account(
    staff_id: int, data: AccountPatch, admin: StaffPrincipal, kv: KeyValue
) -> dict[str, Any]:
    changes: dict[str, Any] = data.model_dump(exclude_none=True, mode="json")
    if "department_id" in changes:
        await _department(changes["department_id"])
    async with in_transaction() as conn:
        account = await _account(staff_id, conn)
        if "roles" in changes and Role.admin in account.roles \
                and Role.admin not in changes["roles"]:
            await _not_last_admin(account, conn)
        if changes:
            await StaffAccount.filter(id=account.id).using_db(conn).update(**changes)
            await _audit(admin, "staff.update", f"staff:{account.id}", conn, **changes)
    if {"roles", "department_id"} & set(changes):
        await revoke_subject("staff", account.id, "staff_changed", kv)
    await account.refresh_from_db()
    return account_view(account)


async def set_active(
    staff_id: int, active: bool, admin: StaffPrincipal, kv: KeyValue, reason: str = ""
) -> dict[str, Any]:
    """Deactivation revokes the person's tokens at once: their next request is refused."""
    async with in_transaction() as conn:
        account = await _account(staff_id, conn)
        if not active and account.id == admin.id:
            raise Conflict("不能停用自己的账号", code="CANNOT_DEACTIVATE_SELF")
        if not active and Role.admin in account.roles:
            await _not_last_admin(account, conn)
        await StaffAccount.filter(id=account.id).using_db(conn).update(active=active)
        await _audit(admin, "staff.activate" if active else "staff.deactivate",
                     f"staff:{account.id}", conn, reason=reason)
    if not active:
        await revoke_subject("staff", account.id, "deactivated", kv)
    await account.refresh_from_db()
    return account_view(account)


async def reset_password(
    staff_id: int, data: PasswordIn, admin: StaffPrincipal, kv: KeyValue
) -> dict[str, Any]:
    password = data.password or _random_password()
    hashed = await asyncio.to_thread(hash_password, password)
    async with in_transaction() as conn:
        account = await _account(staff_id, conn)
        await StaffAccount.filter(id=account.id).using_db(conn).update(password_hash=hashed)
        await _audit(admin, "staff.password_reset", f"staff:{account.id}", conn)
    await revoke_subject("staff", account.id, "password_reset", kv)
    await kv.delete(login_attempts_key(account.username))  # a locked-out person may try again
    out = account_view(account)
    if data.password is None:
        out["temporary_password"] = password
    return out


async def _not_last_admin(account: StaffAccount, conn: Any) -> None:
    admins = [a for a in await StaffAccount.filter(active=True).using_db(conn)
              if Role.admin in a.roles and a.id != account.id]
    if not admins:
        raise Conflict("至少保留一名在职管理员", code="LAST_ADMIN")


def _random_password() -> str:
    return secrets.token_urlsafe(12)
