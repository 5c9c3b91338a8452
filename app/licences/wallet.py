"""The 电子证照 wallet: a person's licences from the licence library (their own, and those of
the companies they act for) beside the certificates we issued them.

Wallet ids say where a licence lives: ``lib:<library id>`` or ``cert:<certificate id>``. The
library is asked live (nothing of it is copied here until a licence is used as a material);
each record used for anything is fetched again and its SM2 signature checked by the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app import clock
from app.certificates import holders, queries
from app.certificates.holders import Holder
from app.errors import NotFound, UpstreamUnavailable
from app.identity.companies import my_companies
from app.interfaces import FinalProviderError, LicenceLibrary, LicenceRecord, RetryableProviderError
from app.security import pii
from models.certificates import Certificate, CertificateStatus, HolderKind
from models.core import Department

LIB, CERT = "lib:", "cert:"


class LicenceNotFound(NotFound):
    code = "LICENCE_NOT_FOUND"
    message = "证照不存在"


class LibraryUnavailable(UpstreamUnavailable):
    code = "LICENCE_LIBRARY_UNAVAILABLE"
    message = "电子证照库暂时无法访问，请稍后再试或上传材料"


@dataclass(frozen=True)
class Held:
    """A licence resolved for use: the record, whose it is, and our certificate if ours."""

    wallet_id: str
    record: LicenceRecord
    holder: Holder
    certificate: Certificate | None = None

    @property
    def source(self) -> str:
        return "certificate" if self.certificate is not None else "licence_library"


async def holders_of(person_id: int) -> list[Holder]:
    """The person (once real-name verified) and every company they act for."""
    out: list[Holder] = []
    try:
        out.append(await holders.person_holder(person_id))
    except holders.RealNameNeeded:
        pass
    for company in await my_companies(person_id):
        out.append(await holders.company_holder(int(company["company_id"])))
    return out


async def certificate_record(cert: Certificate) -> LicenceRecord:
    dept = await Department.get(id=cert.department_id).only("name", "code")
    usable = cert.status == CertificateStatus.valid
    return LicenceRecord(
        licence_id=f"{CERT}{cert.id}", type_code=cert.type_code, type_name=cert.title,
        number=cert.number, holder_kind=cert.holder_kind, holder_name=cert.holder_masked,
        holder_id="", issuer=dept.name, issuer_code=dept.code,
        valid_from=clock.local(cert.issued_at).date(),
        valid_until=clock.local(cert.valid_until).date() if cert.valid_until else None,
        status="valid" if usable else "cancelled",
    )


async def ask(call: Any) -> Any:
    """Await a library call; its retryable failures answer 503 LICENCE_LIBRARY_UNAVAILABLE."""
    try:
        return await call
    except RetryableProviderError as exc:
        raise LibraryUnavailable() from exc


async def wallet(person_id: int, library: LicenceLibrary) -> list[dict[str, Any]]:
    today = clock.local(clock.now()).date()
    entries: list[dict[str, Any]] = []
    for holder in await holders_of(person_id):
        for record in await ask(library.query(holder.kind, holder.id_number)):
            entries.append(view(f"{LIB}{record.licence_id}", record, holder, "licence_library",
                                today))
    for cert in await queries.mine(person_id):
        record = await certificate_record(cert)
        holder = Holder(cert.holder_kind, cert.holder_masked, "", cert.company_id)
        entries.append(view(record.licence_id, record, holder, "certificate", today))
    return entries


async def resolve(person_id: int, wallet_id: str, library: LicenceLibrary,
                  among: list[Holder] | None = None) -> Held:
    """A licence of the person's (or of ``among``, e.g. just the applicant), fetched afresh;
    404 when it is nobody's of theirs."""
    candidates = among if among is not None else await holders_of(person_id)
    if wallet_id.startswith(CERT) and wallet_id[len(CERT):].isdigit():
        cert = await queries.of_person(int(wallet_id[len(CERT):]), person_id)
        for holder in candidates:
            if holder.kind == cert.holder_kind and holder.bidx == cert.holder_bidx:
                return Held(wallet_id, await certificate_record(cert), holder, cert)
        raise LicenceNotFound()
    if not wallet_id.startswith(LIB) or not 0 < len(wallet_id) - len(LIB) <= 64:
        raise LicenceNotFound()
    licence_id = wallet_id[len(LIB):]
    for holder in candidates:
        try:
            record = await ask(library.fetch(licence_id, holder.id_number))
        except FinalProviderError:
            continue  # not found, or not this holder's: try the next
        if record.holder_kind == holder.kind and record.holder_id.upper() == (
                holder.id_number.upper()):
            return Held(wallet_id, record, holder)
    raise LicenceNotFound()


def mask_number(number: str) -> str:
    return number[:2] + "*" * max(len(number) - 4, 2) + number[-2:] if len(number) > 4 else "****"


def view(wallet_id: str, record: LicenceRecord, holder: Holder, source: str,
         today: date) -> dict[str, Any]:
    return {
        "licence_id": wallet_id, "source": source, "type_code": record.type_code,
        "type_name": record.type_name, "number": mask_number(record.number),
        "holder": holder.masked if holder.name else record.holder_name,
        "holder_kind": record.holder_kind.value, "issuer": record.issuer,
        "valid_from": record.valid_from.isoformat() if record.valid_from else None,
        "valid_until": record.valid_until.isoformat() if record.valid_until else None,
        "status": record.status, "usable": record.valid_on(today),
        "company_id": holder.company_id if holder.kind is HolderKind.company else None,
    }


def plain_number(record: LicenceRecord) -> str:
    """The number sealed for storage (it may be an ID number)."""
    return pii.encrypt(record.number)
