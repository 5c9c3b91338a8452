"""免提交: a licence the applicant holds stands in for an uploaded material.

The server, not the citizen, decides: the licence is fetched afresh from the library (its
signature checked) or is one of our certificates; it must be of the type the material names,
belong to the applicant (the person, or the company for a company case) and be valid today;
where it came from is recorded beside the material (``MaterialSource``), and staff see the
material as coming from the licence library. Every refusal changes nothing.
"""

from __future__ import annotations

from app import clock
from app.cases import materials
from app.certificates import holders
from app.errors import ValidationFailed
from app.interfaces import LicenceLibrary
from app.licences import wallet
from models.cases import Case, Material
from models.certificates import MaterialSource


def _refuse(message: str, code: str, field: str = "licence_id") -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: message})


async def use_licence(
    case: Case, version_materials: list[dict[str, object]], *, code: str,
    library: LicenceLibrary, licence_id: str | None = None, elicence_type: str | None = None,
    licence_no: str | None = None,
) -> Material:
    spec = materials.material_spec(version_materials, code)  # 422 MATERIAL_UNKNOWN
    accepted = spec.get("elicence_type")
    if not accepted or (elicence_type and elicence_type != accepted):
        raise _refuse("该材料不能以此电子证照代替", "ELICENCE_NOT_ACCEPTED", "elicence_type")
    applicant = await holders.applicant(case.person_id, case.company_id)
    if licence_id is None:
        licence_id = await _find(case.person_id, applicant, str(accepted), licence_no or "",
                                 library)
    try:
        held = await wallet.resolve(case.person_id, licence_id, library, among=[applicant])
    except wallet.LicenceNotFound as exc:
        # ours but not the applicant's (a personal licence in a company case, or the reverse)
        raise _refuse("该证照不属于本次申请的申请人", "LICENCE_NOT_APPLICANTS") from exc
    record = held.record
    if record.type_name != accepted:
        raise _refuse(f"该材料须使用“{accepted}”", "ELICENCE_NOT_ACCEPTED")
    today = clock.local(clock.now()).date()
    if not record.valid_on(today):
        raise _refuse("该证照已过期或已注销，请上传材料或更新证照", "LICENCE_NOT_VALID")
    material = await materials.attach_elicence(
        case, list(version_materials), code=code, elicence_type=record.type_name,
        licence_no=record.number,
    )
    await materials.supersede_others(material)  # "use my licence instead of the upload"
    await MaterialSource.create(
        material_id=material.id, case_id=case.id, source=held.source, licence_id=licence_id,
        type_code=record.type_code, type_name=record.type_name,
        number_enc=wallet.plain_number(record), issuer=record.issuer,
        valid_from=record.valid_from, valid_until=record.valid_until,
        holder_bidx=applicant.bidx,
        certificate_id=held.certificate.id if held.certificate else None,
        signature=record.signature, fetched_at=clock.now(),
    )
    return material


async def _find(person_id: int, applicant: holders.Holder, type_name: str, number: str,
                library: LicenceLibrary) -> str:
    """The wallet id of the applicant's licence of this type and number (the older form of
    the request named the licence by its number)."""
    records = await wallet.ask(
        library.query(applicant.kind, applicant.id_number, type_name))
    for record in records:
        if record.number.strip().upper() == number.strip().upper():
            return f"{wallet.LIB}{record.licence_id}"
    raise _refuse("申请人名下没有该证照", "LICENCE_NOT_HELD", "licence_no")
