"""Who a certificate or a licence belongs to: a person (ID number) or a company (unified
social credit code), with the masked form every public view shows and the keyed blind index
that matches a holder without keeping the number in clear."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import Forbidden
from app.security import pii
from models.certificates import HolderKind
from models.identity import Company, Person

PERSON_PURPOSE = "id_number"  # the same purpose as Person.id_number_bidx, so they compare
COMPANY_PURPOSE = "credit_code"


@dataclass(frozen=True)
class Holder:
    kind: HolderKind
    name: str
    id_number: str  # ID number or credit code
    company_id: int | None = None

    @property
    def masked(self) -> str:
        if self.kind is HolderKind.company:
            return mask_company(self.name)
        return pii.mask_name(self.name) or "*"

    @property
    def printed_id(self) -> str:
        """As printed on a certificate: a person's ID masked, a credit code (public) whole."""
        if self.kind is HolderKind.company:
            return self.id_number
        return pii.mask_id_number(self.id_number) or ""

    @property
    def bidx(self) -> str:
        return holder_bidx(self.kind, self.id_number)


def holder_bidx(kind: HolderKind, number: str) -> str:
    purpose = COMPANY_PURPOSE if kind is HolderKind.company else PERSON_PURPOSE
    return pii.blind_index(number, purpose)


def mask_company(name: str) -> str:
    """杭州示范科技有限公司 → 杭州****有限公司 (the first two and the last four characters)."""
    if len(name) <= 6:
        return name[:1] + "*" * (len(name) - 1)
    return name[:2] + "*" * (len(name) - 6) + name[-4:]


class RealNameNeeded(Forbidden):
    code = "REALNAME_ID_REQUIRED"
    message = "请先完成实名认证（身份证核验）"


async def person_holder(person_id: int) -> Holder:
    person = await Person.get(id=person_id)
    if not person.id_number_enc or not person.name_enc:
        raise RealNameNeeded()
    return Holder(HolderKind.person, pii.decrypt(person.name_enc),
                  pii.decrypt(person.id_number_enc))


async def company_holder(company_id: int) -> Holder:
    company = await Company.get(id=company_id)
    return Holder(HolderKind.company, company.name, company.credit_code, company.id)


async def applicant(person_id: int, company_id: int | None) -> Holder:
    """The applicant of a case: the company when filed for one, else the person."""
    if company_id is not None:
        return await company_holder(company_id)
    return await person_holder(person_id)
