"""Answer shapes of the wallet endpoints (documented in OpenAPI)."""

from __future__ import annotations

from pydantic import BaseModel


class LicenceOut(BaseModel):
    licence_id: str  # lib:<library id> | cert:<certificate id>
    source: str  # licence_library | certificate
    type_code: str
    type_name: str
    number: str  # masked
    holder: str  # masked
    holder_kind: str
    issuer: str
    valid_from: str | None
    valid_until: str | None
    status: str
    usable: bool  # valid today
    company_id: int | None


class WalletOut(BaseModel):
    items: list[LicenceOut]


class ShowOut(BaseModel):
    token: str
    qr_text: str  # the URL a verifier's phone opens
    qr_png: str  # data: URL of the QR image
    expires_at: str | None
    seconds: int


class ShownOut(BaseModel):
    status: str  # genuine | not_valid | expired | invalid
    status_label: str
    expires_at: str | None = None
    licence: LicenceOut | None
