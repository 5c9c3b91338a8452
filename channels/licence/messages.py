"""The library's JSON records as the core's ``LicenceRecord``."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.interfaces import LicenceRecord
from models.certificates import HolderKind


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def record(raw: dict[str, Any]) -> LicenceRecord:
    """KeyError / ValueError on a record missing what the protocol promises."""
    return LicenceRecord(
        licence_id=str(raw["licence_id"]), type_code=str(raw["type_code"]),
        type_name=str(raw["type_name"]), number=str(raw["number"]),
        holder_kind=HolderKind(raw["holder_type"]), holder_name=str(raw["holder_name"]),
        holder_id=str(raw["holder_id"]), issuer=str(raw["issuer"]),
        issuer_code=str(raw.get("issuer_code", "")), valid_from=_day(raw.get("valid_from")),
        valid_until=_day(raw.get("valid_until")), status=str(raw.get("status", "valid")),
        identifier=str(raw.get("identifier", "")), signature=str(raw.get("signature", "")),
    )
