"""Case fixtures: published items made directly in the database (fresh codes every time) and
small helpers to drive a case through the API."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64

MATERIALS = [
    {"code": "M01", "name": "申请人居民身份证", "required": True, "format": "原件扫描",
     "min_trust_level": 2, "elicence_type": "居民身份证"},
    {"code": "M02", "name": "近期免冠照片", "required": True, "format": "JPG/PNG"},
    {"code": "M03", "name": "户口簿", "required": False, "format": "PDF"},
]
FORM = {"fields": [
    {"name": "applicant", "label": "申请人姓名", "type": "name", "required": True},
    {"name": "phone", "label": "联系电话", "type": "phone", "required": True},
    {"name": "reason", "label": "申请事由", "type": "select", "options": ["有效期满", "损坏"],
     "required": True},
]}
GOOD_FORM = {"applicant": "李小明", "phone": "13912345678", "reason": "有效期满"}


async def make_item(department_id: int, **overrides: Any) -> dict[str, Any]:
    """A published item of ``department_id``; answers {id, code, name, version_id}."""
    from models.catalogue import ServiceItem, ServiceItemVersion

    code = f"CASE-{uuid.uuid4().hex[:10]}"
    item = await ServiceItem.create(basic_code=code[:12], code=code, department_id=department_id)
    fields: dict[str, Any] = {
        "name": f"居民身份证换领{code[-4:]}", "item_type": "公共服务",
        "legal_basis": "《居民身份证法》",
        "materials": MATERIALS, "legal_limit_days": 20, "promised_limit_days": 5,
        "special_stages": [{"name": "专家评审", "days": 5, "counts_toward_limit": False},
                           {"name": "现场核查", "days": 2, "counts_toward_limit": True}],
        "fees": [], "online_depth": "不见面", "delivery_options": ["window", "express"],
        "required_realname_level": 1, "channels": ["app", "wechat", "alipay"],
        "form_schema": FORM,
    }
    fields.update(overrides)
    version = await ServiceItemVersion.create(item=item, version=1, **fields)
    item.published_version_id = version.id
    item.published = True
    await item.save()
    return {"id": item.id, "code": code, "name": fields["name"], "version_id": version.id}


async def filed_case(
    api: httpx.AsyncClient, headers: dict[str, str], item: dict[str, Any], *, submit: bool = True
) -> dict[str, Any]:
    """Draft, form, the two required materials and (by default) submission."""
    r = await api.post("/api/v1/cases", json={"item_code": item["code"], "form": GOOD_FORM},
                       headers=headers)
    assert r.status_code == 201, r.text
    case = r.json()
    await upload(api, headers, case["id"], "M01", PDF)
    await upload(api, headers, case["id"], "M02", PNG)
    if submit:
        r = await api.post(f"/api/v1/cases/{case['id']}/submit", headers=headers)
        assert r.status_code == 200, r.text
        case = r.json()
    return case


async def upload(
    api: httpx.AsyncClient, headers: dict[str, str], case_id: int, code: str, content: bytes,
    filename: str = "scan.bin",
) -> httpx.Response:
    r = await api.post(f"/api/v1/cases/{case_id}/materials", data={"code": code},
                       files={"file": (filename, content, "application/octet-stream")},
                       headers=headers)
    assert r.status_code == 201, r.text
    return r
