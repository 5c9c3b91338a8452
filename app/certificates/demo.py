"""``seed-demo``'s certificate: a demo person (张三, known to the ID-check and licence-library
simulators) applies for 无犯罪记录证明 and the case goes through 受理, approval and issuing, so a
new user can open ``/verify/<code>`` at once. Running it again finds the same certificate."""

from __future__ import annotations

from app import clock
from app.cases import citizen_actions, materials, staff_actions
from app.cases.transitions import Actor
from app.documents import qr
from app.security import pii
from models.catalogue import ServiceItem
from models.certificates import Certificate, CertificateStatus
from models.identity import ChannelAccount, Person

ITEM_CODE = "GA-330100-0005"  # 无犯罪记录证明开具
NAME, ID_NUMBER, PHONE = "张三", "110102199101010078", "13800000001"
STAFF = Actor("staff", "0", "演示窗口")


async def demo_person() -> Person:
    bidx = pii.blind_index(ID_NUMBER, "id_number")
    person = await Person.get_or_none(id_number_bidx=bidx)
    if person is None:
        person = await Person.create(
            phone_enc=pii.encrypt(PHONE), phone_bidx=pii.blind_index(PHONE, "phone"),
            name_enc=pii.encrypt(NAME), id_number_enc=pii.encrypt(ID_NUMBER),
            id_number_bidx=bidx, realname_level=2, realname_source="demo",
            realname_at=clock.now(),
        )
        await ChannelAccount.create(person=person, channel="app",
                                    subject=pii.blind_index(PHONE, "phone"))
    return person


async def seed_certificate() -> Certificate | None:
    """The demo certificate (made once); None when the catalogue lacks the demo item."""
    if not await ServiceItem.filter(code=ITEM_CODE, published=True).exists():
        return None
    person = await demo_person()
    found = await Certificate.filter(person_id=person.id, type_code="GA-WFZJL",
                                     status=CertificateStatus.valid).order_by("-id").first()
    if found is not None:
        return found
    case = await citizen_actions.create_draft(
        person.id, item_code=ITEM_CODE, form={"purpose": "就业", "contact_phone": PHONE})
    version = await citizen_actions.version_of(case)
    await materials.attach_upload(case, version.materials, code="M01", filename="身份证.png",
                                  content=qr.png("演示材料：居民身份证"))
    await citizen_actions.submit(case, person.id)
    await staff_actions.accept(case, STAFF)
    await staff_actions.approve(case, STAFF, "经查询，未发现犯罪记录")
    await staff_actions.issue_result(case, STAFF, "准予出具")
    return await Certificate.filter(case_id=case.id).first()
