"""Legal persons (法人) and who may act for them.

A company is known by its unified social credit code (GB 32100 check digit verified locally).
Its legal representative registers it; the representative authorises 经办人 with a scope (the
service item codes they may file, or ``*``) and an expiry. A case is filed for a company only
by someone holding a live authority for it (``require_company_authority``).
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.clock import now
from app.errors import ApiError, Conflict, Forbidden, NotFound, UpstreamUnavailable
from app.identity.levels import require_level, require_recent_verification
from app.identity.numbers import normalize_credit_code, normalize_id_number
from app.identity.realname import check_id_number, check_name, check_number
from app.interfaces import EnterpriseRecord, EnterpriseRegistry, EnterpriseStatus, ProviderError
from app.security import pii
from models.identity import Company, CompanyMember, Person

STEP_UP_MAX_AGE = timedelta(minutes=30)  # a representative's check before granting authority


class CompanyAuthorityRequired(ApiError):
    status = 403
    code = "COMPANY_AUTHORITY_REQUIRED"
    message = "您未获得该企业的授权，不能代表企业办理"


def check_credit_code(raw: str) -> str:
    return check_number(normalize_credit_code, raw, code="CREDIT_CODE_INVALID", field="credit_code")


class CompanyUnverified(ApiError):
    status = 403
    code = "COMPANY_UNVERIFIED"
    message = "该企业的法定代表人尚未经市场监管登记信息核验，请法定代表人先完成核验"


async def _registered(registry: EnterpriseRegistry, code: str) -> EnterpriseRecord:
    try:
        record = await registry.lookup(code)
    except ProviderError as exc:
        raise UpstreamUnavailable("企业登记信息暂时无法查询，请稍后再试",
                                  code="REGISTRY_UNAVAILABLE") from exc
    if record is None:
        raise ApiError("市场监管登记信息中未查到该企业", code="COMPANY_NOT_REGISTERED",
                       status=422, fields={"credit_code": "未登记"})
    return record


def _names_this_person(record: EnterpriseRecord, person: Person) -> bool:
    """The registry's legal representative is this person: the ID number by its blind index
    (the person's own is never decrypted for it) and the name as verified at L2."""
    try:
        number = normalize_id_number(record.legal_rep_id_number)
    except ValueError:
        return False
    same_number = hmac.compare_digest(pii.blind_index(number, "id_number"),
                                      person.id_number_bidx or "")
    return same_number and pii.decrypt(person.name_enc or "") == record.legal_rep_name.strip()


async def _check_registry(registry: EnterpriseRegistry, code: str, person: Person
                          ) -> EnterpriseRecord:
    record = await _registered(registry, code)
    if record.status is not EnterpriseStatus.active:
        raise Conflict("该企业登记状态不是存续，不能办理", code="COMPANY_NOT_ACTIVE",
                       fields={"registry_status": record.status.value})
    if not _names_this_person(record, person):
        raise Forbidden("市场监管登记信息显示您不是该企业的法定代表人",
                        code="NOT_LEGAL_REPRESENTATIVE")
    return record


async def register(person_id: int, credit_code: str, registry: EnterpriseRegistry) -> Company:
    """The logged-in person, verified at L2, registers a company the market-regulation
    registry names them the legal representative of, and that is active (存续/在业). The
    company's name is the registry's. A registration nobody verified (made before the check)
    gives way to the representative the registry names: its members lose their authority."""
    code = check_credit_code(credit_code)
    person = await require_level(person_id, 2)
    record = await _check_registry(registry, code, person)
    at = now()
    try:
        async with in_transaction() as conn:
            company = await Company.filter(credit_code=code).select_for_update().using_db(
                conn).first()
            if company is not None and company.verified_at is not None:
                raise Conflict("该企业已由其法定代表人登记", code="COMPANY_ALREADY_REGISTERED")
            if company is None:
                company = await Company.create(
                    credit_code=code, name=record.name, registered_by_id=person_id,
                    verified_at=at, registry_status=record.status.value, using_db=conn)
            else:
                await CompanyMember.filter(company_id=company.id, revoked_at__isnull=True
                                           ).using_db(conn).update(revoked_at=at)
                company.name, company.registered_by_id = record.name, person_id
                company.verified_at, company.registry_status = at, record.status.value
                await company.save(using_db=conn, update_fields=[
                    "name", "registered_by_id", "verified_at", "registry_status"])
            await CompanyMember.create(
                company=company, person_id=person_id, role="legal_rep", scope=["*"], using_db=conn
            )
    except IntegrityError:  # two first registrations at once: the other one won
        raise Conflict(
            "该企业已由其法定代表人登记", code="COMPANY_ALREADY_REGISTERED"
        ) from None
    return company


async def refresh_registration(company: Company, registry: EnterpriseRegistry) -> Company:
    """Ask the registry again. A company no longer active (注销, 吊销) loses every agent's
    authority at once and stays marked; its representative no longer acts for it."""
    record = await _registered(registry, company.credit_code)
    if record.status is not EnterpriseStatus.active:
        async with in_transaction() as conn:
            await CompanyMember.filter(company_id=company.id, role="agent",
                                       revoked_at__isnull=True).using_db(conn).update(
                revoked_at=now())
            company.registry_status = record.status.value
            await company.save(using_db=conn, update_fields=["registry_status"])
    return company


async def verify(person_id: int, company_id: int, registry: EnterpriseRegistry) -> Company:
    """The representative of an unverified (or changed) registration has it checked now."""
    company = await _as_legal_rep(person_id, company_id, verified=False)
    person = await require_level(person_id, 2)
    try:
        record = await _check_registry(registry, company.credit_code, person)
    except Conflict:
        await refresh_registration(company, registry)
        raise
    company.name, company.verified_at = record.name, now()
    company.registry_status = record.status.value
    await company.save(update_fields=["name", "verified_at", "registry_status"])
    return company


def acts(company: Company) -> bool:
    """Whether a company may act (authorise agents, file cases): verified by the registry and
    active when last asked."""
    return company.verified_at is not None and \
        company.registry_status == EnterpriseStatus.active.value


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
            "verified": acts(m.company),
            "registry_status": m.company.registry_status,
            "role": m.role,
            "scope": m.scope,
            "expires_at": m.expires_at.isoformat() if m.expires_at else None,
        }
        for m in rows
        if _live(m, at)
    ]


async def _as_legal_rep(person_id: int, company_id: int, *, verified: bool = True) -> Company:
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
    if verified and not acts(company):
        raise CompanyUnverified(fields={"company_id": company_id})
    return company


async def authorise_agent(
    person_id: int,
    company_id: int,
    *,
    agent_name: str,
    agent_id_number: str,
    scope: list[str],
    expires_at: datetime,
    registry: EnterpriseRegistry | None = None,
) -> CompanyMember:
    """The representative names the 经办人 by name and ID number; the agent must be a
    person already verified at L2 under exactly that identity. Handing out a company's
    authority is a step-up action: the representative's own check must be recent; and the
    registry is asked again, so a company deregistered since cannot hand out authority."""
    company = await _as_legal_rep(person_id, company_id)
    if registry is not None and not acts(await refresh_registration(company, registry)):
        raise CompanyUnverified(fields={"company_id": company_id})
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
    await _as_legal_rep(person_id, company_id, verified=False)
    updated = await CompanyMember.filter(
        id=member_id, company_id=company_id, role="agent", revoked_at__isnull=True
    ).update(revoked_at=now())
    if not updated:
        raise NotFound("授权不存在或已撤销", code="AUTHORISATION_NOT_FOUND")


async def list_agents(person_id: int, company_id: int) -> list[dict[str, Any]]:
    await _as_legal_rep(person_id, company_id, verified=False)
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
    company = await Company.get_or_none(id=company_id)
    if company is not None and not acts(company):
        raise CompanyUnverified(fields={"company_id": company_id})
    for member in await CompanyMember.filter(company_id=company_id, person_id=person_id):
        if _live(member, at) and (
            "*" in member.scope or service_code is None or service_code in member.scope
        ):
            return member
    raise CompanyAuthorityRequired(fields={"company_id": company_id})


# the name the cases service calls
require_authorised = require_company_authority
