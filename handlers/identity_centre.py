"""User centre, companies and 经办人 authorisations, and the audited staff read of PII."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field
from sanic import Blueprint, HTTPResponse

from app.context import AppRequest
from app.handler_kit import Done, body, doc, fails, ok, returns, row_id
from app.identity import companies, pii_audit, stepup, usercentre
from app.security.auth import citizen_required, staff_required
from handlers.auth import client_ip
from handlers.identity_schemas import (
    AgentGrantOut,
    AgentOut,
    CaseBriefOut,
    ChannelOut,
    CompanyOut,
    DeletionOut,
    MyCompanyOut,
    PiiReadOut,
    PiiValueOut,
    ProfileOut,
    SessionOut,
)
from models.identity import Company

me = Blueprint("identity_me", url_prefix="/api/v1/me")
corp = Blueprint("identity_companies", url_prefix="/api/v1/companies")
staff = Blueprint("identity_staff", url_prefix="/api/v1/staff/persons")


def _company_id(value: int) -> int:
    return row_id(value, "企业不存在", "COMPANY_NOT_FOUND")


def _person_id(value: int) -> int:
    return row_id(value, "用户不存在", "PERSON_NOT_FOUND")


class DeletionIn(BaseModel):
    reason: str | None = Field(default=None, max_length=200)


class CompanyIn(BaseModel):
    credit_code: str = Field(min_length=1, max_length=24)
    # what the person typed; the registry's name is the one kept
    name: str | None = Field(default=None, max_length=200)


class AgentIn(BaseModel):
    name: str = Field(min_length=1, max_length=30)
    id_number: str = Field(min_length=1, max_length=20)
    scope: list[str] = Field(default_factory=lambda: ["*"], max_length=50)
    expires_at: AwareDatetime


class StepUpIn(BaseModel):
    code: str = Field(min_length=4, max_length=8, pattern=r"^\d+$")


class StepUpCodeOut(BaseModel):
    resend_after: int


class StepUpOut(BaseModel):
    valid_for_seconds: int


class RevealIn(BaseModel):
    field: Literal["phone", "name", "id_number"]


class PiiReadIn(BaseModel):
    field: str = Field(min_length=1, max_length=16)
    reason: str = Field(min_length=1, max_length=200)


@me.get("")
@doc("My profile (personal data masked)", "user centre")
@returns(ProfileOut)
@citizen_required
async def profile(request: AppRequest) -> HTTPResponse:
    return ok(await usercentre.profile(request.ctx.person_id))


@me.get("/channels")
@doc("My bound login channels", "user centre")
@returns(list[ChannelOut])
@citizen_required
async def channels(request: AppRequest) -> HTTPResponse:
    return ok(await usercentre.channels(request.ctx.person_id))


STEP_UP = ("Needs a step-up within the last 5 minutes (`POST /api/v1/me/step-up/otp`, then "
           "`POST /api/v1/me/step-up` with the SMS code); without it 403 STEP_UP_REQUIRED.")


async def _stepped_up(request: AppRequest) -> None:
    await stepup.require(request.ctx.person_id, str(request.ctx.token_claims.get("fam", "")),
                         request.app.ctx.kv)


@me.post("/step-up/otp")
@doc("Step-up: send a one-time code to my own phone", "user centre")
@returns(StepUpCodeOut)
@fails((409, "STEP_UP_NO_PHONE"), (429, "OTP_RESEND_TOO_SOON / OTP_RATE_LIMITED / OTP_LOCKED"),
       (503, "SMS_SEND_FAILED"))
@citizen_required
async def step_up_code(request: AppRequest) -> HTTPResponse:
    ctx = request.app.ctx
    wait = await stepup.send_code(request.ctx.person_id, kv=ctx.kv, sms=ctx.edges.sms(),
                                  settings=ctx.settings, client_ip=client_ip(request))
    return ok({"resend_after": wait})


@me.post("/step-up")
@doc("Step-up: confirm with the SMS code; holds 5 minutes for this login", "user centre",
     "Account deletion, unbinding a channel and revealing my own unmasked data need it.")
@returns(StepUpOut)
@fails((400, "OTP_INVALID / OTP_EXPIRED"), (409, "STEP_UP_NO_PHONE"), (429, "OTP_LOCKED"))
@citizen_required
@body(StepUpIn)
async def step_up(request: AppRequest) -> HTTPResponse:
    ctx = request.app.ctx
    seconds = await stepup.confirm(
        request.ctx.person_id, str(request.ctx.token_claims.get("fam", "")),
        request.ctx.body.code, kv=ctx.kv, settings=ctx.settings)
    return ok({"valid_for_seconds": seconds})


@me.post("/reveal")
@doc("Reveal one of my own values unmasked (phone, name, ID number)", "user centre", STEP_UP)
@returns(PiiValueOut)
@fails((403, "STEP_UP_REQUIRED"), (422, "VALIDATION_FAILED"))
@citizen_required
@body(RevealIn)
async def reveal(request: AppRequest) -> HTTPResponse:
    await _stepped_up(request)
    field = request.ctx.body.field
    return ok({"field": field, "value": await stepup.reveal_own(request.ctx.person_id, field)})


@me.delete("/channels/<account_id:int>")
@doc("Unbind a login channel (the last one cannot be removed)", "user centre", STEP_UP)
@returns(Done)
@fails((403, "STEP_UP_REQUIRED"))
@citizen_required
async def unbind(request: AppRequest, account_id: int) -> HTTPResponse:
    await _stepped_up(request)
    await usercentre.unbind(request.ctx.person_id, account_id, request.app.ctx.kv)
    return ok({"ok": True})


@me.get("/sessions")
@doc("My signed-in devices", "user centre")
@returns(list[SessionOut])
@citizen_required
async def sessions(request: AppRequest) -> HTTPResponse:
    fam = request.ctx.token_claims.get("fam")
    return ok(await usercentre.sessions(request.ctx.person_id, fam))


@me.delete("/sessions/<session_id:str>")
@doc("Sign a device out", "user centre")
@returns(Done)
@citizen_required
async def revoke_session(request: AppRequest, session_id: str) -> HTTPResponse:
    await usercentre.revoke_session(request.ctx.person_id, session_id, request.app.ctx.kv)
    return ok({"ok": True})


@me.get("/cases")
@doc("My cases", "user centre")
@returns(list[CaseBriefOut])
@citizen_required
async def my_cases(request: AppRequest) -> HTTPResponse:
    return ok(await usercentre.my_cases(request.ctx.person_id))


@me.post("/deletion")
@doc("Delete my account (what the law requires is kept, and the answer says what)", "user centre",
     STEP_UP)
@returns(DeletionOut, status=201)
@fails((403, "STEP_UP_REQUIRED"))
@citizen_required
@body(DeletionIn, optional=True)
async def deletion(request: AppRequest) -> HTTPResponse:
    await _stepped_up(request)
    answer = await usercentre.request_deletion(
        request.ctx.person_id, request.ctx.body.reason, request.app.ctx.kv
    )
    return ok(answer, status=201)


def _company(company: Company) -> dict[str, object]:
    return {"company_id": company.id, "credit_code": company.credit_code, "name": company.name,
            "verified": companies.acts(company), "registry_status": company.registry_status}


@corp.post("")
@doc("Register a company I represent (unified social credit code)", "companies",
     "The market-regulation registry (企业登记信息) is asked: it must name me (ID number and "
     "name as verified at L2) as the legal representative and the company must be active. "
     "The registry's name is kept; `name` in the body is only what I typed.")
@returns(CompanyOut, status=201)
@fails((403, "NOT_LEGAL_REPRESENTATIVE"), (403, "REALNAME_LEVEL_REQUIRED"),
       (409, "COMPANY_NOT_ACTIVE"), (409, "COMPANY_ALREADY_REGISTERED"),
       (422, "COMPANY_NOT_REGISTERED"), (422, "CREDIT_CODE_INVALID"),
       (503, "REGISTRY_UNAVAILABLE"))
@citizen_required
@body(CompanyIn)
async def register_company(request: AppRequest) -> HTTPResponse:
    data: CompanyIn = request.ctx.body
    company = await companies.register(request.ctx.person_id, data.credit_code,
                                       request.app.ctx.edges.registry())
    return ok(_company(company), status=201)


@corp.post("/<company_id:int>/verify")
@doc("Have the registry verify a registration made before the check (legal representative)",
     "companies")
@returns(CompanyOut)
@fails((403, "NOT_LEGAL_REPRESENTATIVE"), (404, "COMPANY_NOT_FOUND"),
       (409, "COMPANY_NOT_ACTIVE"), (422, "COMPANY_NOT_REGISTERED"), (503, "REGISTRY_UNAVAILABLE"))
@citizen_required
async def verify_company(request: AppRequest, company_id: int) -> HTTPResponse:
    company = await companies.verify(request.ctx.person_id, company_id,
                                     request.app.ctx.edges.registry())
    return ok(_company(company))


@corp.get("")
@doc("Companies I may act for", "companies")
@returns(list[MyCompanyOut])
@citizen_required
async def my_companies(request: AppRequest) -> HTTPResponse:
    return ok(await companies.my_companies(request.ctx.person_id))


@corp.get("/<company_id:int>/agents")
@doc("The company's 经办人 (legal representative only)", "companies")
@returns(list[AgentOut])
@citizen_required
async def agents(request: AppRequest, company_id: int) -> HTTPResponse:
    return ok(await companies.list_agents(request.ctx.person_id, _company_id(company_id)))


@corp.post("/<company_id:int>/agents")
@doc("Authorise a 经办人 with a scope and an expiry", "companies")
@returns(AgentGrantOut, status=201)
@citizen_required
@body(AgentIn)
async def authorise(request: AppRequest, company_id: int) -> HTTPResponse:
    data: AgentIn = request.ctx.body
    member = await companies.authorise_agent(
        request.ctx.person_id,
        _company_id(company_id),
        agent_name=data.name,
        agent_id_number=data.id_number,
        scope=data.scope,
        expires_at=data.expires_at,
        registry=request.app.ctx.edges.registry(),
    )
    expires: datetime | None = member.expires_at
    out = {"id": member.id, "scope": member.scope}
    return ok({**out, "expires_at": expires.isoformat() if expires else None}, status=201)


@corp.delete("/<company_id:int>/agents/<member_id:int>")
@doc("Revoke a 经办人 authorisation", "companies")
@returns(Done)
@citizen_required
async def revoke(request: AppRequest, company_id: int, member_id: int) -> HTTPResponse:
    member_id = row_id(member_id, "授权不存在或已撤销", "AUTHORISATION_NOT_FOUND")
    await companies.revoke_agent(request.ctx.person_id, _company_id(company_id), member_id)
    return ok({"ok": True})


@staff.post("/<person_id:int>/pii")
@doc("Read one unmasked personal value (audited)", "staff identity")
@returns(PiiValueOut)
@staff_required("clerk", "reviewer")
@body(PiiReadIn)
async def read_pii(request: AppRequest, person_id: int) -> HTTPResponse:
    data: PiiReadIn = request.ctx.body
    principal = request.ctx.staff
    value = await pii_audit.reveal(
        principal.id,
        _person_id(person_id),
        data.field,
        data.reason,
        department_id=principal.department_scope,
    )
    return ok({"field": data.field, "value": value})


@staff.get("/<person_id:int>/pii-reads")
@doc("Who read this person's unmasked data, and why", "staff identity")
@returns(list[PiiReadOut])
@staff_required("admin")
async def pii_reads(request: AppRequest, person_id: int) -> HTTPResponse:
    return ok(await pii_audit.reads_of(_person_id(person_id)))


centre = Blueprint.group(me, corp, staff)
