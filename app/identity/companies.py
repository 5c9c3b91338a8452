"""Legal persons (法人) and who may act for them.

A company is known by its unified social credit code (GB 32100 check digit verified locally).
Its legal representative registers it; the representative authorises 经办人 with a scope (the
service item codes they may file, or ``*``) and an expiry. A case is filed for a company only
by someone holding a live authority for it (``require_company_authority``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.clock import now
from app.errors import ApiError, Conflict, Forbidden, NotFound
from app.identity.levels import require_level, require_recent_verification
from app.identity.numbers import normalize_credit_code
from app.identity.realname import check_id_number, check_name, check_number
from app.security import pii
from models.identity import Company, CompanyMember, Person

STEP_UP_MAX_AGE = timedelta(minutes=30)  # a representative's check before granting authority


class CompanyAuthorityRequired(ApiError):
    status = 403
    code = "COMPANY_AUTHORITY_REQUIRED"
    message = "您未获得该企业的授权，不能代表企业办理"


def check_credit_code(raw: str) -> str:
    return check_number(normalize_credit_code, raw, code="CREDIT_CODE_INVALID", field="credit_code")


async def register(person_id: int, credit_code: str, name: str) -> Company:
    """The logged-in person, verified at L2, registers a company they represent."""
    code = check_credit_code(credit_code)
    await require_level(person_id, 2)
    try:
        async with in_transaction() as conn:
            company = await Company.create(
                credit_code=code, name=name.strip(), registered_by_id=person_id, using_db=conn
            )
            await CompanyMember.create(
                company=company, person_id=person_id, role="legal_rep", scope=["*"], using_db=conn
            )
    except IntegrityError:
        raise Conflict(
            "该企业已由其法定代表人登记", code="COMPANY_ALREADY_REGISTERED"
        ) from None
    return company


def _live(member: CompanyMember, at: datetime) -> bool:
    return member.revoked_at is None and (member.expires_at is None or member.expires_at > at)


async def my_companies(person_id: int) -> list[dict[str, Any]]:
    at = now()
    rows = await CompanyMember.filter(person_id=person_id).prefetch_related("company")
    return [
        {
            "company_id": m.company.id,
            "credit_code": m.company.credit_code,
            "name": m.company.name,
            "role": m.role,
            "scope": m.scope,
            "expires_at": m.expires_at.isoformat() if m.expires_at else None,
        }
        for m in rows
        if _live(m, at)
    ]


async def _as_legal_rep(person_id: int, company_id: int) -> Company:
    company = await Company.get_or_none(id=company_id)
    roles = {
        m.role
        for m in await CompanyMember.filter(
            company_id=company_id, person_id=person_id, revoked_at__isnull=True
        )
    }
    # a company the person has nothing to do with is not theirs to see: 404, not 403
    if company is None or not roles:
        raise NotFound("企业不存在", code="COMPANY_NOT_FOUND")
    if "legal_rep" not in roles:
        raise Forbidden("只有法定代表人可以授权经办人", code="LEGAL_REP_REQUIRED")
    return company


async def authorise_agent(
    person_id: int,
    company_id: int,
    *,
    agent_name: str,
    agent_id_number: str,
    scope: list[str],
    expires_at: datetime,
) -> CompanyMember:
    """The representative names the 经办人 by name and ID number; the agent must be a
    person already verified at L2 under exactly that identity. Handing out a company's
    authority is a step-up action: the representative's own check must be recent."""
    await _as_legal_rep(person_id, company_id)
    await require_recent_verification(person_id, 2, STEP_UP_MAX_AGE)
    if expires_at <= now():
        raise ApiError("授权期限必须晚于当前时间", code="EXPIRY_INVALID", status=422)
    name, number = check_name(agent_name), check_id_number(agent_id_number)
    agent = await Person.get_or_none(id_number_bidx=pii.blind_index(number, "id_number"))
    if agent is None or agent.realname_level < 2 or pii.decrypt(agent.name_enc or "") != name:
        raise NotFound("该经办人尚未完成实名认证，请其先登录并完成实名认证", code="AGENT_NOT_FOUND")
    return await CompanyMember.create(
        company_id=company_id,
        person_id=agent.id,
        role="agent",
        scope=scope or ["*"],
        expires_at=expires_at,
        granted_by_id=person_id,
    )


async def revoke_agent(person_id: int, company_id: int, member_id: int) -> None:
    await _as_legal_rep(person_id, company_id)
    updated = await CompanyMember.filter(
        id=member_id, company_id=company_id, role="agent", revoked_at__isnull=True
    ).update(revoked_at=now())
    if not updated:
        raise NotFound("授权不存在或已撤销", code="AUTHORISATION_NOT_FOUND")


async def list_agents(person_id: int, company_id: int) -> list[dict[str, Any]]:
    await _as_legal_rep(person_id, company_id)
    rows = await CompanyMember.filter(company_id=company_id, role="agent").prefetch_related(
        "person"
    )
    return [
        {
            "id": m.id,
            "name": pii.mask_name(pii.decrypt(m.person.name_enc)) if m.person.name_enc else None,
            "scope": m.scope,
            "expires_at": m.expires_at.isoformat() if m.expires_at else None,
            "revoked": m.revoked_at is not None,
        }
        for m in rows
    ]


async def require_company_authority(
    person_id: int, company_id: int, service_code: str | None = None
) -> CompanyMember:
    """For the cases service: may this person file (``service_code``) for this company?"""
    at = now()
    for member in await CompanyMember.filter(company_id=company_id, person_id=person_id):
        if _live(member, at) and (
            "*" in member.scope or service_code is None or service_code in member.scope
        ):
            return member
    raise CompanyAuthorityRequired(fields={"company_id": company_id})


# the name the cases service calls
require_authorised = require_company_authority
