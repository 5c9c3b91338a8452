"""A case's result becomes a sealed certificate that verifies online (HTML and JSON), is
recorded and told to the holder at each look-up, and reads as revoked or superseded after
the department acts."""

from __future__ import annotations

from typing import Any

from models.certificates import CertificateVerification
from models.core import OutboxEvent
from tests.certificates.conftest import issued, verified, verifier


async def test_a_case_result_verifies_online(api: Any, citizen: Any, sims: Any,
                                             team: dict[str, Any]) -> None:
    me = await verified(api, citizen, sims)
    cert = await issued(api, me, team)
    assert cert["status"] == "valid" and cert["title"] == "无犯罪记录证明"
    assert cert["holder"] == me.name[0] + "*" * (len(me.name) - 1)
    lines = {f["label"]: f["value"] for f in cert["fields"]}
    assert lines["姓名"] == me.name and lines["证明用途"] == "就业"
    assert lines["身份证号"] != me.id_number and lines["身份证号"].endswith(me.id_number[-4:])
    assert cert["qr_text"].startswith("http") and "#" in cert["qr_text"]

    r = await api.get(cert["verify_url"], headers=verifier())
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "genuine" and body["certificate"]["number"] == cert["number"]
    assert me.name not in r.text and me.id_number not in r.text

    page = await api.get(cert["verify_url"], headers={"X-Forwarded-For": verifier()[
        "X-Forwarded-For"]})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "真实有效" in page.text and me.name not in page.text and "<script" not in page.text

    records = await CertificateVerification.filter(certificate_id=cert["id"]).count()
    assert records == 2
    told = await OutboxEvent.filter(event_type="certificate.verified",
                                    aggregate_id=str(cert["id"])).all()
    assert len(told) == 2 and all(e.person_id == me.citizen.person_id for e in told)
    history = await api.get(f"/api/v1/certificates/{cert['id']}/verifications",
                            headers=me.headers)
    assert [v["outcome"] for v in history.json()["items"]] == ["genuine", "genuine"]


async def test_an_edited_record_reads_as_tampered(api: Any, citizen: Any, sims: Any,
                                                  team: dict[str, Any]) -> None:
    from datetime import timedelta

    from app import clock
    from app.security import pii
    from models.certificates import Certificate

    me = await verified(api, citizen, sims)
    cert = await issued(api, me, team)
    row = await Certificate.get(id=cert["id"])
    # the validity column moved: the answer comes from the signed content, still genuine
    await Certificate.filter(id=row.id).update(valid_until=clock.now() - timedelta(days=1))
    assert (await api.get(cert["verify_url"], headers=verifier())).json()["status"] == "genuine"
    # the sealed content itself edited (a later validity): the seal no longer holds
    edited = pii.decrypt(row.content_enc).replace('"valid_until":"', '"valid_until":"2099')
    await Certificate.filter(id=row.id).update(content_enc=pii.encrypt(edited))
    body = (await api.get(cert["verify_url"], headers=verifier())).json()
    assert body["status"] == "tampered" and body["certificate"] is None
