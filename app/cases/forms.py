"""Validate a case's form data against its item version's form definition.

``form_schema = {"fields": [{name, label, type, required, options, min_length, max_length,
min, max, pattern}]}``; types: text, textarea, name, number, integer, date, select, multiselect,
boolean, phone, id_number, email, address. Personal fields (phone, id_number, address, and any
field marked ``"pii": true``) are stored encrypted and answered masked.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from app.errors import ValidationFailed
from app.security import pii


def _mask_card(number: str) -> str:
    return number[:4] + "*" * max(0, len(number) - 8) + number[-4:]


PII_TYPES = {
    "phone": pii.mask_phone, "id_number": pii.mask_id_number, "address": pii.mask_address,
    "name": pii.mask_name, "bank_card": _mask_card,
}
ENC_PREFIX = pii.IN_DOCUMENT_PREFIX
PHONE = re.compile(r"^1[3-9]\d{9}$")
BANK_CARD = re.compile(r"^\d{12,19}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")


def _fields(schema: dict[str, Any] | None) -> list[dict[str, Any]]:
    return list((schema or {}).get("fields") or [])


def is_personal(spec: dict[str, Any]) -> bool:
    """Sealed at rest and masked in answers: the personal types, and any field marked pii."""
    return spec.get("type") in PII_TYPES or bool(spec.get("pii"))


def _check(spec: dict[str, Any], value: Any) -> tuple[Any, str | None]:
    kind = spec.get("type", "text")
    if kind in ("text", "textarea", "name", "phone", "id_number", "email", "address",
                "bank_card"):
        if not isinstance(value, str):
            return value, "应为文字"
        value = value.strip()
        if len(value) < int(spec.get("min_length", 0)):
            return value, "内容过短"
        if len(value) > int(spec.get("max_length", 2000)):
            return value, "内容过长"
        pattern = {"phone": PHONE, "email": EMAIL, "id_number": ID_NUMBER,
                   "bank_card": BANK_CARD}.get(kind)
        if pattern and not pattern.match(value):
            return value, FORMAT_HINTS.get(kind, "格式不正确")
        if spec.get("pattern") and not re.fullmatch(spec["pattern"], value):
            return value, "格式不正确"
        return value.upper() if kind == "id_number" else value, None
    if kind in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return value, "应为数字"
        if kind == "integer" and not float(value).is_integer():
            return value, "应为整数"
        if ("min" in spec and value < spec["min"]) or ("max" in spec and value > spec["max"]):
            return value, "超出允许范围"
        return (int(value) if kind == "integer" else value), None
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).isoformat(), None
        except ValueError:
            return value, "日期格式应为 YYYY-MM-DD"
    if kind == "boolean":
        return value, None if isinstance(value, bool) else "应为是或否"
    options = [o["value"] if isinstance(o, dict) else o for o in spec.get("options", [])]
    if kind == "select":
        return value, None if value in options else "取值不在可选范围内"
    if kind == "multiselect":
        ok = isinstance(value, list) and all(v in options for v in value)
        return value, None if ok else "取值不在可选范围内"
    return value, None


# what a person is told, so the message says how to put the answer right
FORMAT_HINTS = {"phone": "请填写 11 位手机号码",
                "id_number": "请填写 18 位身份证号码，末位可以是 X",
                "email": "请填写正确的电子邮箱，如 name@example.com",
                "bank_card": "请填写正确的银行卡号（16 至 19 位数字）"}


def missing_message(spec: dict[str, Any]) -> str:
    chosen = spec.get("type") in ("select", "multiselect", "boolean", "date")
    verb = "请选择" if chosen else "请填写"
    return f"{verb}{spec.get('label') or spec.get('name', '')}"


def validate(
    schema: dict[str, Any] | None, data: dict[str, Any], *, partial: bool = False
) -> dict[str, Any]:
    """Answer the cleaned data (plain values); raise 422 with a message per field.

    ``partial`` (saving a draft) skips the required check; submission validates fully."""
    specs = {f["name"]: f for f in _fields(schema)}
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, value in data.items():
        if name not in specs:
            errors[f"form.{name}"] = "不允许的字段"
        elif isinstance(value, str) and value.startswith(ENC_PREFIX):
            # the mark of a sealed value at rest: from a client it would be "decrypted" later
            errors[f"form.{name}"] = f"不能以“{ENC_PREFIX}”开头"
    for name, spec in specs.items():
        value = data.get(name)
        if value is None or value == "" or value == []:
            if spec.get("required", True) and not partial:  # the catalogue's default
                errors[f"form.{name}"] = missing_message(spec)
            continue
        value, problem = _check(spec, value)
        if problem:
            errors[f"form.{name}"] = problem
        else:
            clean[name] = value
    if errors:
        raise ValidationFailed("表单填写有误", code="FORM_INVALID", fields=errors)
    return clean


def seal(schema: dict[str, Any] | None, clean: dict[str, Any]) -> dict[str, Any]:
    """Encrypt the personal fields for storage."""
    specs = {f["name"]: f for f in _fields(schema)}
    return {
        k: ENC_PREFIX + pii.encrypt(str(v)) if k in specs and is_personal(specs[k]) else v
        for k, v in clean.items()
    }


def unseal(stored: dict[str, Any]) -> dict[str, Any]:
    return {
        k: pii.decrypt(v[len(ENC_PREFIX):]) if isinstance(v, str) and v.startswith(ENC_PREFIX)
        else v
        for k, v in (stored or {}).items()
    }


def masked(schema: dict[str, Any] | None, stored: dict[str, Any]) -> dict[str, Any]:
    """Stored form data as shown in answers: personal fields masked."""
    specs = {f["name"]: f for f in _fields(schema)}
    out: dict[str, Any] = {}
    for k, v in unseal(stored).items():
        spec = specs.get(k, {})
        if is_personal(spec):
            mask = PII_TYPES.get(spec.get("type", ""), pii.mask_name)
            out[k] = mask(str(v))
        else:
            out[k] = v
    return out
