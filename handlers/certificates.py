"""Citizen certificate endpoints (mine, one, its PDF, its verification history) and the public
ones offline verifiers need (the seal keys, the signed revocation list). Another person's
certificate answers 404 like one that does not exist."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import HTTPResponse, raw

from app import blobs
from app.certificates import keys, queries, revoke, views
from app.certificates.schemas import (
    CertificateDetailOut,
    CertificateListOut,
    RevocationListOut,
    SealKeysOut,
    VerificationListOut,
)
from app.context import AppRequest
from app.handler_kit import doc, fails, id_headers, ok, returns, row_id
from app.security.auth import citizen_required

bp = Blueprint("certificates", url_prefix="/api/v1/certificates")
TAG = "certificates"
NOT_FOUND = (404, "CERTIFICATE_NOT_FOUND: not this person's certificate, or none")


def _id(cert_id: int) -> int:
    return row_id(cert_id, "证明不存在", "CERTIFICATE_NOT_FOUND")


@bp.get("/keys")
@doc("The seal public keys (SM2) for offline verification (public)", TAG)
@returns(SealKeysOut)
async def seal_keys(request: AppRequest) -> HTTPResponse:
    return ok({"keys": [k.published() for k in keys.keyring().keys]})


@bp.get("/revocations")
@doc("The signed list of revoked and superseded certificates (public)", TAG,
          "Entries name certificates by SM3('ZSB-CRL-1:' + code), first 16 bytes in hex; "
          "the signature is SM2 over 'ZSB-CRL-1\\n' + the canonical JSON without it.")
@returns(RevocationListOut)
async def revocations(request: AppRequest) -> HTTPResponse:
    return ok(await revoke.revocation_list(request.app.ctx.kv))


@bp.get("")
@doc("My certificates and those of the companies I act for", TAG)
@citizen_required
@returns(CertificateListOut)
async def list_mine(request: AppRequest) -> HTTPResponse:
    certs = await queries.mine(request.ctx.person_id)
    return ok({"items": [views.summary(c) for c in certs]})


@bp.get("/<cert_id:int>")
@doc("One of my certificates: its lines, verification code and QR text", TAG)
@citizen_required
@returns(CertificateDetailOut)
@fails(NOT_FOUND)
async def read_one(request: AppRequest, cert_id: int) -> HTTPResponse:
    cert = await queries.of_person(_id(cert_id), request.ctx.person_id)
    return ok(views.detail(cert, for_holder=True))


@bp.get("/<cert_id:int>/pdf")
@doc("Download the sealed PDF of one of my certificates", TAG)
@citizen_required
@returns({"type": "string", "format": "binary"})
@fails(NOT_FOUND)
async def download(request: AppRequest, cert_id: int) -> HTTPResponse:
    cert = await queries.of_person(_id(cert_id), request.ctx.person_id)
    data = await blobs.get_async(cert.pdf_key)
    headers = id_headers({"Content-Disposition": f'attachment; filename="{cert.number}.pdf"'})
    return raw(data, content_type="application/pdf", headers=headers)


@bp.get("/<cert_id:int>/verifications")
@doc("Who checked my certificate, and when (user centre: 查验记录)", TAG)
@citizen_required
@returns(VerificationListOut)
@fails(NOT_FOUND)
async def history(request: AppRequest, cert_id: int) -> HTTPResponse:
    cert = await queries.of_person(_id(cert_id), request.ctx.person_id)
    return ok({"items": [views.verification_view(v) for v in await queries.verifications(cert)]})
