"""The lead department's view of 一件事 applications (牵头部门): every member's department, status
and clock in one place. Member departments handle their own cases in their usual queue."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse

from app.cases.workbench import roles_for
from app.context import AppRequest
from app.handler_kit import doc, fails, ok, returns
from app.reforms import bundle_views
from app.reforms.bundle_schemas import ApplicationList, ApplicationOut
from app.security.auth import staff_required

bp = Blueprint("staff_bundles", url_prefix="/api/v1/staff/bundle-applications")
TAG = "staff-bundles"


@bp.get("")
@doc("Applications of the bundles my department leads, newest first", TAG)
@staff_required(*roles_for("read"))
@returns(ApplicationList)
async def lead_list(request: AppRequest) -> HTTPResponse:
    rows = await bundle_views.for_lead(request.ctx.staff)
    return ok({"items": [await bundle_views.view(a, staff=True) for a in rows]})


@bp.get("/<application_id:int>")
@doc("One application of a bundle my department leads: the whole picture", TAG)
@staff_required(*roles_for("read"))
@returns(ApplicationOut)
@fails((404, "BUNDLE_APPLICATION_NOT_FOUND"))
async def lead_read(request: AppRequest, application_id: int) -> HTTPResponse:
    found = await bundle_views.lead_one(application_id, request.ctx.staff)
    return ok(await bundle_views.view(found, staff=True))
