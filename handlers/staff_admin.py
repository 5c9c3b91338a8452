"""Staff administration for admins: departments and staff accounts (create, change roles,
deactivate — which revokes the person's logins at once — and reset a password)."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sanic import Blueprint, HTTPResponse

from app import staff_admin as svc
from app.context import AppRequest
from app.handler_kit import STAFF_ERRORS, body, doc, fails, ok, query, returns, row_id
from app.security.auth import staff_required
from app.staff import Role

bp = Blueprint("staff_admin", url_prefix="/api/v1/staff/admin")
TAG = "staff admin"
ADMIN = Role.admin


class DepartmentOut(BaseModel):
    id: int
    code: str
    name: str
    region_code: str
    phone: str
    address: str
    staff_count: int | None = None


class DepartmentListOut(BaseModel):
    items: list[DepartmentOut]


class AccountOut(BaseModel):
    id: int
    username: str
    display_name: str
    roles: list[str]
    department_id: int
    active: bool
    created_at: str | None
    temporary_password: str | None = Field(
        default=None, description="only when the server chose the password: shown once")


class AccountListOut(BaseModel):
    items: list[AccountOut]
    total: int


class AccountQuery(BaseModel):
    department_id: int | None = Field(default=None, ge=1)
    active: bool | None = None
    q: str | None = Field(default=None, max_length=64, description="username or name")
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=1_000_000)


def _staff_id(value: int) -> int:
    return row_id(value, "工作人员不存在", "STAFF_NOT_FOUND")


@bp.get("/departments")
@doc("Every department, with its number of active staff", TAG)
@staff_required(ADMIN)
@returns(DepartmentListOut)
@fails(*STAFF_ERRORS)
async def list_departments(request: AppRequest) -> HTTPResponse:
    return ok({"items": await svc.departments()})


@bp.post("/departments")
@doc("Create a department", TAG)
@staff_required(ADMIN)
@body(svc.DepartmentIn)
@returns(DepartmentOut, status=201)
@fails(*STAFF_ERRORS, (409, "DEPARTMENT_EXISTS"), (422, "VALIDATION_FAILED"))
async def create_department(request: AppRequest) -> HTTPResponse:
    return ok(await svc.create_department(request.ctx.body, request.ctx.staff), status=201)


@bp.patch("/departments/<department_id:int>")
@doc("Change a department's name, region or contact details (its code stays)", TAG)
@staff_required(ADMIN)
@body(svc.DepartmentPatch)
@returns(DepartmentOut)
@fails(*STAFF_ERRORS, (404, "DEPARTMENT_NOT_FOUND"), (422, "VALIDATION_FAILED"))
async def update_department(request: AppRequest, department_id: int) -> HTTPResponse:
    dept_id = row_id(department_id, "部门不存在", "DEPARTMENT_NOT_FOUND")
    return ok(await svc.update_department(dept_id, request.ctx.body, request.ctx.staff))


@bp.get("/accounts")
@doc("Staff accounts, filtered, a page at a time", TAG)
@staff_required(ADMIN)
@query(AccountQuery)
@returns(AccountListOut)
@fails(*STAFF_ERRORS, (422, "VALIDATION_FAILED"))
async def list_accounts(request: AppRequest) -> HTTPResponse:
    q: AccountQuery = request.ctx.query
    items, total = await svc.accounts(department_id=q.department_id, active=q.active, q=q.q,
                                      limit=q.limit, offset=q.offset)
    return ok({"items": items, "total": total})


@bp.post("/accounts")
@doc("Create a staff account (without a password, a random one is answered once)", TAG)
@staff_required(ADMIN)
@body(svc.AccountIn)
@returns(AccountOut, status=201)
@fails(*STAFF_ERRORS, (404, "DEPARTMENT_NOT_FOUND"), (409, "USERNAME_TAKEN"),
        (422, "VALIDATION_FAILED"))
async def create_account(request: AppRequest) -> HTTPResponse:
    return ok(await svc.create_account(request.ctx.body, request.ctx.staff), status=201)


@bp.patch("/accounts/<staff_id:int>")
@doc("Change a staff member's name, department or roles (a role or department change "
     "ends their logins)", TAG)
@staff_required(ADMIN)
@body(svc.AccountPatch)
@returns(AccountOut)
@fails(*STAFF_ERRORS, (404, "STAFF_NOT_FOUND"), (404, "DEPARTMENT_NOT_FOUND"),
        (409, "LAST_ADMIN"), (422, "VALIDATION_FAILED"))
async def update_account(request: AppRequest, staff_id: int) -> HTTPResponse:
    return ok(await svc.update_account(_staff_id(staff_id), request.ctx.body, request.ctx.staff,
                                       request.app.ctx.kv))


@bp.post("/accounts/<staff_id:int>/deactivate")
@doc("Deactivate a staff account: every token of theirs is refused at once", TAG)
@staff_required(ADMIN)
@body(svc.DeactivateIn)
@returns(AccountOut)
@fails(*STAFF_ERRORS, (404, "STAFF_NOT_FOUND"), (409, "CANNOT_DEACTIVATE_SELF"),
        (409, "LAST_ADMIN"), (422, "VALIDATION_FAILED"))
async def deactivate(request: AppRequest, staff_id: int) -> HTTPResponse:
    return ok(await svc.set_active(_staff_id(staff_id), False, request.ctx.staff,
                                   request.app.ctx.kv, request.ctx.body.reason))


@bp.post("/accounts/<staff_id:int>/activate")
@doc("Activate a deactivated staff account again", TAG)
@staff_required(ADMIN)
@returns(AccountOut)
@fails(*STAFF_ERRORS, (404, "STAFF_NOT_FOUND"))
async def activate(request: AppRequest, staff_id: int) -> HTTPResponse:
    return ok(await svc.set_active(_staff_id(staff_id), True, request.ctx.staff,
                                   request.app.ctx.kv))


@bp.post("/accounts/<staff_id:int>/password")
@doc("Reset a staff member's password (without one, a random one is answered once); ends "
     "their logins and lifts a login lockout", TAG)
@staff_required(ADMIN)
@body(svc.PasswordIn)
@returns(AccountOut)
@fails(*STAFF_ERRORS, (404, "STAFF_NOT_FOUND"), (422, "VALIDATION_FAILED"))
async def reset_password(request: AppRequest, staff_id: int) -> HTTPResponse:
    return ok(await svc.reset_password(_staff_id(staff_id), request.ctx.body, request.ctx.staff,
                                       request.app.ctx.kv))
