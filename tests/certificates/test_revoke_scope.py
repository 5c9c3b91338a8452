"""Revocation and reissue as verifiers and holders see them; who may do what (another person
or department → 404, a missing role → 403); the per-IP limit on /verify."""

from __future__ import annotations

from typing import Any

from models.certificates import Certificate, CertificateEvent
from models.core import OutboxEvent
from tests.certificates.conftest import issued, verified, verifier

STAFF = "/api/v1/staff/certificates"


async def test_revoked_and_superseded_say_so(api: Any, citizen: Any, sims: Any,
                                             team: dict[str, Any]) -> None:
    me = await verified(api, citizen, sims)
    first = await issued(api, me, team)
    r = await api.post(f"{STAFF}/{first['id']}/reissue",
                       json={"corrections": {"证明用途": "入学"}, "note": "申请人更正用途"},
                       headers=team["reviewer"].headers)
    assert r.status_code == 201, r.text
    second = r.json()
    assert second["supersedes_id"] == first["id"] and second["number"] != first["number"]
    assert second["valid_until"] == first["valid_until"]  # a correction keeps the validity
    assert {f["label"]: f["value"] for f in second["fields"]}["证明用途"] == "入学"

    old = (await api.get(first["verify_url"], headers=verifier())).json()
    assert old["status"] == "superseded"
    assert old["certificate"]["superseded_by"]["verify_url"] == second["verify_url"]
    assert (await api.get(second["verify_url"], headers=verifier())).json()["status"] == (
        "genuine")

    r = await api.post(f"{STAFF}/{second['id']}/revoke",
                       json={"reason": "obtained_by_fraud", "note": "提供虚假材料"},
                       headers=team["reviewer"].headers)
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    again = await api.post(f"{STAFF}/{second['id']}/revoke",
                           json={"reason": "other", "note": "再次撤销"},
                           headers=team["reviewer"].headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "CERTIFICATE_NOT_VALID"
    body = (await api.get(second["verify_url"], headers=verifier())).json()
    assert body["status"] == "revoked" and body["certificate"]["revoke_reason"] == (
        "obtained_by_fraud")
    assert "虚假材料" not in str(body)  # the note stays internal
    page = await api.get(second["verify_url"], headers={"X-Forwarded-For": "10.9.9.9"})
    assert "已撤销" in page.text and "以不正当手段取得" in page.text
    events = await CertificateEvent.filter(certificate_id=second["id"]).order_by("id")
    assert [e.to_status for e in events] == ["valid", "revoked"]
    told = await OutboxEvent.filter(event_type="certificate.revoked",
                                    aggregate_id=str(second["id"])).get()
    assert told.priority == "critical" and told.person_id == me.citizen.person_id
    detail = (await api.get(f"{STAFF}/{first['id']}", headers=team["clerk"].headers)).json()
    assert [e["to"] for e in detail["timeline"]] == ["valid", "superseded"]


async def test_unknown_codes_and_the_rate_limit(api: Any) -> None:
    headers = verifier()
    r = await api.get("/verify/0000-0000-0000-0000-0000", headers=headers)
    assert r.status_code == 404 and r.json()["status"] == "unknown"
    for bad in ("x", "../../etc/passwd", "A" * 200, "%00"):
        r = await api.get(f"/verify/{bad}", headers=headers)
        assert r.status_code == 404 and r.json().get("certificate") is None
    codes = []
    for _ in range(40):
        r = await api.get("/verify/ABCDEFGHJKMNPQRSTVWX", headers=headers)
        codes.append(r.status_code)
        if r.status_code == 429:
            assert int(r.headers["retry-after"]) >= 1
            assert r.json()["error"]["code"] == "VERIFY_RATE_LIMITED"
            break
    assert codes[-1] == 429
    assert (await api.get("/verify/ABCDEFGHJKMNPQRSTVWX", headers=verifier())).status_code == 404


async def test_who_may_see_and_act(api: Any, citizen: Any, sims: Any,
                                   team: dict[str, Any]) -> None:
    me = await verified(api, citizen, sims)
    cert = await issued(api, me, team)
    cid = cert["id"]
    other = await citizen()
    for path in (f"/api/v1/certificates/{cid}", f"/api/v1/certificates/{cid}/pdf",
                 f"/api/v1/certificates/{cid}/verifications"):
        r = await api.get(path, headers=other.headers)
        assert r.status_code == 404 and r.json()["error"]["code"] == "CERTIFICATE_NOT_FOUND"
        assert (await api.get(path)).status_code == 401
    assert cid not in [c["id"] for c in (await api.get(
        "/api/v1/certificates", headers=other.headers)).json()["items"]]

    stranger = team["stranger"].headers
    for method, path, body in (("get", f"{STAFF}/{cid}", None),
                               ("post", f"{STAFF}/{cid}/revoke",
                                {"reason": "other", "note": "x"}),
                               ("post", f"{STAFF}/{cid}/reissue", {"note": "x"})):
        r = await api.request(method, path, json=body, headers=stranger)
        assert r.status_code == 404, (path, r.text)
    assert cid not in [c["id"] for c in (await api.get(STAFF, headers=stranger)).json()["items"]]
    for who, path in (("clerk", f"{STAFF}/{cid}/revoke"), ("clerk", f"{STAFF}/{cid}/reissue"),
                      ("operator", f"{STAFF}/{cid}")):
        method = "get" if who == "operator" else "post"
        r = await api.request(method, path, json={"reason": "other", "note": "x"},
                              headers=team[who].headers)
        assert r.status_code == 403, (who, path, r.text)
    assert (await Certificate.get(id=cid)).status == "valid"
    r = await api.post(f"{STAFF}/{cid}/reissue", json={"corrections": {"不存在": "x"},
                                                       "note": "x"},
                       headers=team["reviewer"].headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "CERTIFICATE_FIELD_UNKNOWN"
    assert await Certificate.filter(case_id=cert["case_id"]).count() == 1
