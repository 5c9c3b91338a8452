"""Personal data at rest: staff reads are audited, and the key rotation re-encrypts."""

from __future__ import annotations

import asyncio
import base64
import os
import sys

from app.identity.rotation import rotate_all
from app.security import pii
from models.express import DeliveryPreference
from models.identity import Person, PiiAccessLog
from tests.express.express_support import result_case
from tests.support.identity_flows import consent, known_person, verify_l2


async def test_staff_read_of_unmasked_value_is_audited(api, citizen, staff, sims) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    await consent(api, who.headers, "realname")
    name, number = await known_person(sims["idcheck"].base_url)
    await verify_l2(api, who.headers, name, number)
    clerk = await staff(roles=["clerk"])
    elsewhere = await staff(roles=["clerk"], department="PIIX")
    await result_case(who.person_id, clerk.department_id)
    other_dept = await api.post(
        f"/api/v1/staff/persons/{who.person_id}/pii",
        json={"field": "id_number", "reason": "窗口核对申请人身份"},
        headers=elsewhere.headers,
    )
    assert other_dept.status_code == 404
    no_reason = await api.post(
        f"/api/v1/staff/persons/{who.person_id}/pii",
        json={"field": "id_number", "reason": "  "},
        headers=clerk.headers,
    )
    assert no_reason.status_code == 422
    resp = await api.post(
        f"/api/v1/staff/persons/{who.person_id}/pii",
        json={"field": "id_number", "reason": "窗口核对申请人身份"},
        headers=clerk.headers,
    )
    assert resp.status_code == 200
    assert resp.json()["value"] == number
    log = await PiiAccessLog.filter(person_id=who.person_id).values("staff_id", "field")
    assert log == [{"staff_id": clerk.id, "field": "id_number"}]
    admin = await staff(roles=["admin"])
    reads = (
        await api.get(f"/api/v1/staff/persons/{who.person_id}/pii-reads", headers=admin.headers)
    ).json()
    assert reads[0]["reason"] == "窗口核对申请人身份"
    denied = await api.get(
        f"/api/v1/staff/persons/{who.person_id}/pii-reads", headers=clerk.headers
    )
    assert denied.status_code == 403


async def test_rotation_reencrypts_under_the_new_key_and_back(citizen, staff, settings) -> None:  # type: ignore[no-untyped-def]
    who = await citizen()
    clerk = await staff(roles=["clerk"])
    case = await result_case(who.person_id, clerk.department_id)
    # a field encrypted outside the ``*_enc`` convention (declared in ENCRYPTED_FIELDS)
    pref = await DeliveryPreference.create(
        case_id=case.id,
        receiver_name=pii.encrypt("张三"),
        receiver_phone=pii.encrypt(who.phone),
        receiver_address=pii.encrypt("北京市东城区正义路1号"),
    )
    ring = pii.keyring()
    old = ring.current
    new_key = base64.b64encode(os.urandom(32)).decode()
    old_spec = settings.pii_keys.get_secret_value()
    rotated = pii.Keyring(*pii.parse_keys(f"k-test:{new_key},{old_spec}"), ring.index_key)
    report = await rotate_all(rotated, batch=7)
    assert report.unreadable == 0 and report.total >= 1
    person = await Person.get(id=who.person_id)
    assert pii.key_id(person.phone_enc or "") == "k-test"
    assert not await Person.filter(phone_enc__startswith=f"{old}$").exists()
    assert pii.key_id((await DeliveryPreference.get(id=pref.id)).receiver_phone) == "k-test"
    # and back, so the rest of the suite reads everything with the configured keys
    back = pii.Keyring(*pii.parse_keys(f"{old_spec},k-test:{new_key}"), ring.index_key)
    assert (await rotate_all(back)).unreadable == 0
    person = await Person.get(id=who.person_id)
    assert pii.key_id(person.phone_enc or "") == old
    assert pii.decrypt(person.phone_enc or "") == who.phone
    pref = await DeliveryPreference.get(id=pref.id)
    assert pii.key_id(pref.receiver_phone) == old and pii.decrypt(pref.receiver_phone) == who.phone


async def test_rotate_pii_key_command(citizen, settings) -> None:  # type: ignore[no-untyped-def]
    """``python -m app rotate-pii-key`` in its own process to a new key, then back."""
    who = await citizen()
    old_spec = settings.pii_keys.get_secret_value()
    old_kid = old_spec.split(":", 1)[0]
    new_spec = f"k-cli:{base64.b64encode(os.urandom(32)).decode()}"

    async def run(keys: str) -> str:
        env = {
            **os.environ,
            "ZSB_ENV": "test",
            "ZSB_DATABASE_URL": settings.database_url,
            "ZSB_PII_KEYS": keys,
            "ZSB_PII_INDEX_KEY": settings.pii_index_key.get_secret_value(),
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app", "rotate-pii-key",
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode == 0, err.decode()[-2000:]
        return out.decode()

    forward = await run(f"{new_spec},{old_spec}")
    assert "identity.Person" in forward and "under key k-cli" in forward
    assert pii.key_id((await Person.get(id=who.person_id)).phone_enc or "") == "k-cli"
    # back in-process (one subprocess is proof enough of the command's wiring)
    ring = pii.keyring()
    back = pii.Keyring(*pii.parse_keys(f"{old_spec},{new_spec}"), ring.index_key)
    assert (await rotate_all(back)).unreadable == 0
    person = await Person.get(id=who.person_id)
    assert pii.key_id(person.phone_enc or "") == old_kid
    assert pii.decrypt(person.phone_enc or "") == who.phone


async def test_rotation_reaches_form_fields_callback_bodies_and_sms_routes(
    citizen, staff, settings  # type: ignore[no-untyped-def]
) -> None:
    """Sealed values outside ``*_enc`` columns: personal form fields (``enc:`` inside the
    document), raw WeChat callbacks, SMS phones in push routes and deliveries. Values that are
    not sealed (an openid beside them) are left as they are."""
    import uuid

    from models.cases import Case
    from models.push import Delivery, Notification
    from models.wechat import InboundCallback

    who = await citizen()
    clerk = await staff(roles=["clerk"])
    case = await result_case(who.person_id, clerk.department_id)
    await Case.filter(id=case.id).update(
        form_data={"applicant": "enc:" + pii.encrypt("张三"), "count": 2, "note": "无"})
    callback = await InboundCallback.create(dedupe_key=f"rot:{uuid.uuid4().hex}", mode="plain",
                                            body=pii.encrypt("<xml>我的身份证号</xml>"))
    sms = pii.encrypt(who.phone)
    note = await Notification.create(
        dedupe_key=f"rot:{uuid.uuid4().hex}", person_id=who.person_id, event_type="t",
        priority="normal", title="t", body="b",
        route=[{"channel": "wechat_template", "recipient": "oROTATION"},
               {"channel": "sms", "recipient": sms}])
    await Delivery.create(notification=note, channel="sms", recipient=sms)
    await Delivery.create(notification=note, channel="wechat_template", recipient="oROTATION")

    ring = pii.keyring()
    old, old_spec = ring.current, settings.pii_keys.get_secret_value()
    new_spec = f"k-rot:{base64.b64encode(os.urandom(32)).decode()}"
    report = await rotate_all(pii.Keyring(*pii.parse_keys(f"{new_spec},{old_spec}"),
                                          ring.index_key))
    assert report.unreadable == 0

    form = (await Case.get(id=case.id)).form_data
    assert form["applicant"].startswith("enc:k-rot$") and form["count"] == 2
    assert pii.key_id((await InboundCallback.get(id=callback.id)).body) == "k-rot"
    route = (await Notification.get(id=note.id)).route
    assert route[0]["recipient"] == "oROTATION" and pii.key_id(route[1]["recipient"]) == "k-rot"
    recipients = {d.channel: d.recipient for d in await Delivery.filter(notification_id=note.id)}
    assert recipients["wechat_template"] == "oROTATION"
    assert pii.key_id(recipients["sms"]) == "k-rot"

    back = await rotate_all(pii.Keyring(*pii.parse_keys(f"{old_spec},{new_spec}"),
                                        ring.index_key))
    assert back.unreadable == 0
    form = (await Case.get(id=case.id)).form_data
    assert pii.key_id(form["applicant"][4:]) == old
    assert pii.decrypt(form["applicant"][4:]) == "张三"


async def test_rotation_reseals_stored_files_and_seals_old_clear_ones(  # type: ignore[no-untyped-def]
    citizen, staff, settings
) -> None:
    from pathlib import Path

    from app import storage
    from app.cases.materials import open_name, read_upload, store_upload
    from app.security import sealed_files
    from models.cases import Material

    who = await citizen()
    clerk = await staff(roles=["clerk"])
    case = await result_case(who.person_id, clerk.department_id)
    content = b"\x89PNG\r\n\x1a\n" + os.urandom(sealed_files.CHUNK * 2 + 3)
    stored = await store_upload(content, "户口簿.png", "M01")
    sealed = await Material.create(
        case_id=case.id, code="M01", name="户口簿", kind="upload", filename=stored.filename,
        content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
        storage_path=stored.storage_path)
    # a file stored in clear by an older version, under its content-addressed path
    legacy_bytes = b"%PDF-1.4 " + os.urandom(1000)
    legacy_key = f"ab/{os.urandom(32).hex()}"
    target = Path(settings.upload_dir) / legacy_key
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(legacy_bytes)
    legacy = await Material.create(
        case_id=case.id, code="M02", name="旧材料", kind="upload", filename="旧.pdf",
        content_type="application/pdf", size=len(legacy_bytes), sha256="0" * 64,
        storage_path=legacy_key)

    async def kid_of(key: str) -> str | None:
        async for piece in storage.store().get(key):
            return sealed_files.key_id_of(piece)
        return None

    ring = pii.keyring()
    old_spec = settings.pii_keys.get_secret_value()
    new_key = base64.b64encode(os.urandom(32)).decode()
    rotated = pii.Keyring(*pii.parse_keys(f"k-files:{new_key},{old_spec}"), ring.index_key)
    report = await rotate_all(rotated)
    assert report.files_resealed >= 2 and report.unreadable == 0
    assert await kid_of(sealed.storage_path or "") == "k-files"
    assert await kid_of(legacy_key) == "k-files"
    assert legacy_bytes[-32:] not in target.read_bytes()
    assert pii.key_id((await Material.get(id=sealed.id)).filename or "") == "k-files"
    back = pii.Keyring(*pii.parse_keys(f"{old_spec},k-files:{new_key}"), ring.index_key)
    assert (await rotate_all(back)).files_missing == 0
    assert await kid_of(legacy_key) == ring.current
    assert await read_upload(await Material.get(id=sealed.id)) == content
    assert await read_upload(await Material.get(id=legacy.id)) == legacy_bytes
    assert open_name((await Material.get(id=sealed.id)).filename) == "户口簿.png"
    assert open_name((await Material.get(id=legacy.id)).filename) == "旧.pdf"
