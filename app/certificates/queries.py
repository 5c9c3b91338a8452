"""Finding certificates for the people allowed to see them: the holder (a person, or a person
acting for the holding company) and staff of the issuing department. Anyone else's answers
404 like a certificate that does not exist."""

from __future__ import annotations

from tortoise.expressions import Q

from app.certificates.revoke import CertificateNotFound
from app.identity.companies import my_companies
from app.scoped import visible
from app.staff import StaffPrincipal
from models.certificates import Certificate, CertificateVerification, HolderKind


async def _company_ids(person_id: int) -> list[int]:
    return [int(c["company_id"]) for c in await my_companies(person_id)]


async def mine(person_id: int) -> list[Certificate]:
    """The person's own certificates and those of the companies they act for."""
    companies = await _company_ids(person_id)
    own = Q(person_id=person_id, holder_kind=HolderKind.person)
    query = own | Q(company_id__in=companies) if companies else own
    return await Certificate.filter(query).order_by("-id")


async def of_person(cert_id: int, person_id: int) -> Certificate:
    cert = await Certificate.get_or_none(id=cert_id)
    if cert is None:
        raise CertificateNotFound()
    if cert.holder_kind == HolderKind.person and cert.person_id == person_id:
        return cert
    if cert.company_id is not None and cert.company_id in await _company_ids(person_id):
        return cert
    raise CertificateNotFound()


async def of_department(cert_id: int, staff: StaffPrincipal) -> Certificate:
    return await visible(Certificate, cert_id, staff.sees_department, CertificateNotFound.message,
                         CertificateNotFound.code)


async def department_list(staff: StaffPrincipal, *, case_id: int | None, limit: int,
                          offset: int) -> list[Certificate]:
    scope = staff.department_scope
    qs = Certificate.all() if scope is None else Certificate.filter(department_id=scope)
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    return await qs.order_by("-id").offset(offset).limit(limit)


async def verifications(cert: Certificate, limit: int = 100) -> list[CertificateVerification]:
    return await CertificateVerification.filter(certificate_id=cert.id).order_by("-id").limit(
        limit)
