"""Citizen side: what is refused and why (form, materials, uploads, e-licences, real-name
level, channel), what is stored (SHA-256, content-addressed file, encrypted personal fields)."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest

from app.cases.numbering import is_well_formed
from models.cases import Case
from tests.cases.conftest import GOOD_FORM, PDF, PNG, filed_case, make_item, upload


@pytest.fixture(scope="module")
async def dept(staff: Any) -> Any:
    return await staff(roles=["clerk"], department=f"C{uuid.uuid4().hex[:6]}")


async def draft(api: Any, headers: dict[str, str], item: dict[str, Any], **body: Any) -> Any:
    return await api.post("/api/v1/cases", json={"item_code": item["code"], **body},
                          headers=headers)


async def test_draft_form_and_submission_checks(api: Any, citizen: Any, dept: Any) -> None:
    me = await citizen()
    item = await make_item(dept.department_id)
    r = await draft(api, me.headers, item, form={"phone": "12345", "nope": 1})
    assert r.status_code == 422 and r.json()["error"]["code"] == "FORM_INVALID"
    assert r.json()["error"]["fields"] == {"form.nope": "不允许的字段",
                                           "form.phone": "请填写 11 位手机号码"}
    assert (await Case.filter(person_id=me.person_id).count()) == 0  # no half-made draft
    r = await draft(api, me.headers, item, form={"reason": "enc:k1$AAAA"})  # a sealed value's mark
    assert r.status_code == 422 and "form.reason" in r.json()["error"]["fields"]
    assert (await Case.filter(person_id=me.person_id).count()) == 0
    r = await draft(api, me.headers, item, form={"phone": "13912345678"})
    assert r.status_code == 201
    case = r.json()
    assert is_well_formed(case["number"]) and case["status"] == "draft"
    assert case["public_progress"] == "未提交" and case["timeline"][0]["to"] == "draft"
    cid = case["id"]

    r = await api.post(f"/api/v1/cases/{cid}/submit", headers=me.headers)
    assert r.status_code == 422 and r.json()["error"]["fields"] == {
        "form.applicant": "请填写申请人姓名", "form.reason": "请选择申请事由"}
    r = await api.patch(f"/api/v1/cases/{cid}", headers=me.headers,
                        json={"form": {"applicant": "王五", "reason": "损坏"},
                              "delivery": "express"})
    assert r.status_code == 200 and r.json()["delivery"] == "express"
    assert r.json()["form"]["phone"] == "139****5678"
    stored = await Case.get(id=cid)
    assert "13912345678" not in str(stored.form_data) and "王五" not in str(stored.form_data)

    r = await api.post(f"/api/v1/cases/{cid}/submit", headers=me.headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "MATERIALS_MISSING"
    assert set(r.json()["error"]["fields"]) == {"materials.M01", "materials.M02"}
    r = await api.post(f"/api/v1/cases/{cid}/materials/elicence", headers=me.headers,
                       json={"code": "M02", "elicence_type": "居民身份证", "licence_no": "1"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "ELICENCE_NOT_ACCEPTED"
    # a typed licence number is no longer believed: the licence library decides (免提交 is
    # tested in tests/certificates/test_wallet.py), and it needs a real-name-checked holder
    r = await api.post(f"/api/v1/cases/{cid}/materials/elicence", headers=me.headers,
                       json={"code": "M01", "elicence_type": "居民身份证",
                             "licence_no": "110105194912310021"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "REALNAME_ID_REQUIRED"
    await upload(api, me.headers, cid, "M01", PDF)
    await upload(api, me.headers, cid, "M02", PNG)
    r = await api.post(f"/api/v1/cases/{cid}/submit", headers=me.headers)
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = await api.patch(f"/api/v1/cases/{cid}", headers=me.headers, json={"form": {}})
    assert r.status_code == 409
    r = await api.post(f"/api/v1/cases/{cid}/submit", headers=me.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "ILLEGAL_TRANSITION"


async def test_uploads_are_checked_hashed_and_stored(
    api: Any, citizen: Any, dept: Any, settings: Any
) -> None:
    me = await citizen()
    case = (await draft(api, me.headers, await make_item(dept.department_id))).json()
    url = f"/api/v1/cases/{case['id']}/materials"

    async def post(code: str, content: bytes) -> Any:
        return await api.post(url, data={"code": code}, headers=me.headers,
                              files={"file": ("扫描件.pdf", content, "application/pdf")})

    r = await post("M03", b"MZ\x90\x00 not a document")
    assert r.status_code == 422 and r.json()["error"]["code"] == "UPLOAD_TYPE"
    r = await post("M99", PDF)
    assert r.status_code == 422 and r.json()["error"]["code"] == "MATERIAL_UNKNOWN"
    r = await post("M03", b"")
    assert r.status_code == 422
    big = b"%PDF-" + b"0" * settings.upload_max_bytes
    r = await post("M03", big)
    assert r.status_code == 413
    content = PDF + uuid.uuid4().bytes
    r = await post("M03", content)
    assert r.status_code == 201, r.text
    body = r.json()
    sha = hashlib.sha256(content).hexdigest()
    assert body["sha256"] == sha and body["size"] == len(content)
    assert body["content_type"] == "application/pdf" and body["filename"] == "扫描件.pdf"
    # encrypted at rest (issue 17, problem 3): no stored file holds the upload in clear, and
    # the database keeps only the sealed name; the material opens again through the store
    stored = await asyncio.to_thread(
        lambda: [p.read_bytes() for p in Path(settings.upload_dir).rglob("*") if p.is_file()])
    assert stored and not any(content[-16:] in data for data in stored)
    from app.cases.materials import read_upload
    from models.cases import Material

    row = await Material.get(id=body["id"])
    assert row.filename and "扫描件" not in row.filename
    assert await read_upload(row) == content
    r = await api.post(url, data={"code": "M03"}, headers=me.headers)
    assert r.status_code == 422  # no file


async def test_item_rules_on_create(api: Any, citizen: Any, dept: Any) -> None:
    me = await citizen()  # real-name level 1 after an SMS login
    strict = await make_item(dept.department_id, required_realname_level=2)
    r = await draft(api, me.headers, strict)
    assert r.status_code == 403 and r.json()["error"]["code"] == "REALNAME_LEVEL_REQUIRED"
    only_wechat = await make_item(dept.department_id, channels=["wechat"])
    r = await draft(api, me.headers, only_wechat)
    assert r.status_code == 409 and r.json()["error"]["code"] == "CHANNEL_NOT_OFFERED"
    # the channel is the token's (tests/cases/test_login_channel.py), never the body's
    assert (await draft(api, me.headers, only_wechat, channel="wechat")).status_code == 409
    window = await make_item(dept.department_id, delivery_options=["window"])
    assert (await draft(api, me.headers, window, delivery="express")).status_code == 422
    r = await api.post("/api/v1/cases", json={"item_code": "NO-SUCH-ITEM"}, headers=me.headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "ITEM_NOT_FOUND"
    r = await api.post("/api/v1/cases", json={}, headers=me.headers)
    assert r.status_code == 422
    r = await api.post("/api/v1/cases", json={"item_code": window["code"], "company_id": 999999},
                       headers=me.headers)
    assert r.status_code == 403


async def test_withdraw_before_acceptance(api: Any, citizen: Any, dept: Any) -> None:
    me = await citizen()
    case = await filed_case(api, me.headers, await make_item(dept.department_id))
    r = await api.post(f"/api/v1/cases/{case['id']}/withdraw", headers=me.headers,
                       json={"reason": "不需要了"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert r.json()["timeline"][-1]["reason"] == "不需要了"
    r = await api.post(f"/api/v1/cases/{case['id']}/resubmit", headers=me.headers)
    assert r.status_code == 409


async def test_list_mine_with_filter(api: Any, citizen: Any, dept: Any) -> None:
    me = await citizen()
    item = await make_item(dept.department_id)
    first = await filed_case(api, me.headers, item)
    second = (await draft(api, me.headers, item, form=GOOD_FORM)).json()
    mine = (await api.get("/api/v1/cases", headers=me.headers)).json()
    assert [c["id"] for c in mine["items"]] == [second["id"], first["id"]] and mine["total"] == 2
    drafts = (await api.get("/api/v1/cases", params={"status": "draft"},
                            headers=me.headers)).json()
    assert [c["id"] for c in drafts["items"]] == [second["id"]]


async def test_unknown_status_filter_is_422_not_500(api: Any, citizen: Any, dept: Any) -> None:
    me = await citizen()
    r = await api.get("/api/v1/cases", params={"status": "bogus"}, headers=me.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "VALIDATION_FAILED"
    r = await api.get("/api/v1/staff/cases", params={"status": "submitted,bogus"},
                      headers=dept.headers)
    assert r.status_code == 422, r.text
    r = await api.get("/api/v1/staff/cases", params={"status": "submitted"},
                      headers=dept.headers)
    assert r.status_code == 200, r.text


async def test_submitted_case_takes_no_edits_or_materials(
    api: Any, citizen: Any, dept: Any
) -> None:
    me = await citizen()
    case = await filed_case(api, me.headers, await make_item(dept.department_id))
    url = f"/api/v1/cases/{case['id']}"
    r = await api.patch(url, json={"form": {"reason": "遗失"}}, headers=me.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "CASE_NOT_EDITABLE"
    r = await api.post(f"{url}/materials", data={"code": "M02"},
                       files={"file": ("a.png", PNG, "image/png")}, headers=me.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "CASE_NOT_EDITABLE"
    after = (await api.get(url, headers=me.headers)).json()
    assert after["form"] == case["form"] and len(after["materials"]) == len(case["materials"])
