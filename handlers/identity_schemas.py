"""Response shapes of the identity API, for validation-free documentation in OpenAPI."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AuthorizeUrlOut(BaseModel):
    url: str
    state: str


class LoginOut(BaseModel):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"
    person_id: int
    channel: str


class ConsentTextOut(BaseModel):
    purpose: str
    version: str
    title: str
    text: str


class ConsentOut(BaseModel):
    purpose: str
    text_version: str
    granted_at: str | None = None
    withdrawn_at: str | None = None


class WithdrawnOut(BaseModel):
    withdrawn: int


class RealNameOut(BaseModel):
    person_id: int
    realname_level: int
    bound: bool
    tokens: LoginOut | None = None


class FaceSessionOut(BaseModel):
    biz_token: str
    url: str


class ProfileOut(BaseModel):
    person_id: int
    phone: str | None
    name: str | None
    id_number: str | None
    realname_level: int
    realname_level_name: str
    realname_source: str | None
    realname_at: str | None
    status: str


class ChannelOut(BaseModel):
    id: int
    channel: str
    channel_name: str
    account: str
    bound_at: str
    last_login_at: str | None


class SessionOut(BaseModel):
    session_id: str
    channel: str
    device: str | None
    signed_in_at: str
    last_active_at: str
    current: bool


class CaseBriefOut(BaseModel):
    id: int
    number: str
    item_name: str
    status: str
    company_id: int | None
    channel: str
    created_at: str


class DeletionOut(BaseModel):
    request_id: int
    status: str
    retained: list[str]


class CompanyOut(BaseModel):
    company_id: int
    credit_code: str
    name: str = Field(description="the name the market-regulation registry gives")
    verified: bool = Field(True, description="the registry named the representative and the "
                           "company was active (存续/在业) when last asked; an unverified "
                           "registration cannot authorise agents or file until verified")
    registry_status: str | None = Field(None, description="active | revoked | deregistered")


class MyCompanyOut(CompanyOut):
    role: str
    scope: list[str]
    expires_at: str | None


class AgentOut(BaseModel):
    id: int
    name: str | None
    scope: list[str]
    expires_at: str | None
    revoked: bool


class AgentGrantOut(BaseModel):
    id: int
    scope: list[str]
    expires_at: str | None


class PiiValueOut(BaseModel):
    field: str
    value: str | None


class PiiReadOut(BaseModel):
    staff_id: int
    field: str
    reason: str
    at: str
