"""Materials of a case: uploads (size and type limits, SHA-256, sealed under the personal-data
keys in the one store, ``app.storage``, the file name sealed in the database) or a reference to
an e-licence that stands in for the material.

The type is decided from the file's first bytes, not from what the client claims.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from app import storage
from app.errors import ApiError, Conflict, ValidationFailed
from app.security import pii, sealed_files
from app.settings import get_settings
from models.cases import Case, CaseStatus, Material

SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"PK\x03\x04", "application/ofd", "ofd"),  # OFD (GB/T 33190) is a zip container
]
EDITABLE = (CaseStatus.draft, CaseStatus.supplement_requested)


class UploadTooLarge(ApiError):
    status = 413
    code = "UPLOAD_TOO_LARGE"
    message = "文件过大"


def sniff(content: bytes) -> tuple[str, str] | None:
    for magic, mime, ext in SIGNATURES:
        if content.startswith(magic):
            return mime, ext
    return None


def material_spec(version_materials: list[dict[str, Any]], code: str) -> dict[str, Any]:
    for spec in version_materials or []:
        if spec.get("code") == code:
            return spec
    raise ValidationFailed(
        "该事项没有此项材料", code="MATERIAL_UNKNOWN", fields={"code": "未知材料"}
    )


async def open_upload(material: Material) -> AsyncIterator[bytes]:
    """The plain bytes of an uploaded material, as a stream (FileNotFoundError when the
    stored object is missing)."""
    if material.kind != "upload" or not material.storage_path:
        raise FileNotFoundError(material.id)
    try:
        source = storage.store().get(material.storage_path)
        async for piece in sealed_files.open_chunks(source):
            yield piece
    except KeyError as exc:
        raise FileNotFoundError(material.storage_path) from exc


async def read_upload(material: Material) -> bytes:
    """The plain bytes of an uploaded material, whole."""
    return b"".join([piece async for piece in open_upload(material)])


# a sealed name must fit the 255-character column: base64 of (name + 28 bytes) and a key id
NAME_MAX_BYTES = 150


def seal_name(name: str) -> str:
    raw = name.encode()
    if len(raw) > NAME_MAX_BYTES:
        stem, dot, ext = name.rpartition(".")
        ext = (dot + ext) if stem and len(ext) <= 8 else ""
        keep = raw[: NAME_MAX_BYTES - len(ext.encode())].decode(errors="ignore")
        name = keep + ext
    return pii.encrypt(name)


def open_name(value: str | None) -> str | None:
    """A stored file name: sealed (every name since encryption at rest) or, for a file stored
    before, the plain name."""
    if not value or "$" not in value:
        return value
    try:
        return pii.decrypt(value)
    except (KeyError, ValueError, InvalidTag):
        return value


def _editable(case: Case) -> None:
    if case.status not in EDITABLE:
        raise Conflict("当前状态不能修改材料", code="CASE_NOT_EDITABLE")


@dataclass(frozen=True)
class StoredFile:
    filename: str
    content_type: str
    size: int
    sha256: str
    storage_path: str


async def store_upload(content: bytes, filename: str, stem: str) -> StoredFile:
    """The one home of upload limits (size, and the type decided from the first bytes) and of
    sealed storage: materials and every other upload (ticket attachments, 申诉
    evidence) pass here. ``stem`` names a file sent without a name."""
    settings = get_settings()
    if len(content) > settings.upload_max_bytes:
        raise UploadTooLarge(f"文件不能超过{settings.upload_max_bytes // (1024 * 1024)}MB")
    if not content:
        raise ValidationFailed("文件为空", code="UPLOAD_EMPTY", fields={"file": "文件为空"})
    kind = sniff(content)
    if kind is None:
        raise ValidationFailed(
            "仅支持 PDF、JPG、PNG、OFD 格式", code="UPLOAD_TYPE", fields={"file": "格式不支持"}
        )
    sha = hashlib.sha256(content).hexdigest()
    # a key of its own per upload: the sealed bytes differ every time, and a content-derived
    # name would tell who uploaded the same ID card as whom
    key = f"materials/{sha[:2]}/{uuid.uuid4().hex}"
    await storage.store().put(key, sealed_files.seal_chunks(content))
    name = Path(filename or f"{stem}.{kind[1]}").name or f"{stem}.{kind[1]}"
    return StoredFile(seal_name(name), kind[0], len(content), sha, key)


async def attach_upload(
    case: Case, version_materials: list[dict[str, Any]], *, code: str, filename: str,
    content: bytes,
) -> Material:
    _editable(case)
    spec = material_spec(version_materials, code)
    stored = await store_upload(content, filename, code)
    return await _create(
        case, code=code, name=spec.get("name", code), kind="upload",
        filename=stored.filename, content_type=stored.content_type, size=stored.size,
        sha256=stored.sha256, storage_path=stored.storage_path,
    )


async def _create(case: Case, **values: Any) -> Material:
    """Write the material under the case row lock, so none slips in after a submit."""
    async with in_transaction() as conn:
        _editable(await Case.select_for_update().using_db(conn).get(id=case.id))
        return await Material.create(case_id=case.id, **values, using_db=conn)


async def attach_elicence(
    case: Case, version_materials: list[dict[str, Any]], *, code: str, elicence_type: str,
    licence_no: str,
) -> Material:
    _editable(case)
    spec = material_spec(version_materials, code)
    accepted = spec.get("elicence_type")
    if not accepted or accepted != elicence_type:
        raise ValidationFailed(
            "该材料不能以此电子证照代替", code="ELICENCE_NOT_ACCEPTED",
            fields={"elicence_type": "不适用于该材料"},
        )
    return await _create(
        case, code=code, name=spec.get("name", code), kind="elicence",
        elicence_type=elicence_type, elicence_ref_enc=pii.encrypt(licence_no.strip()),
    )


async def supersede_others(material: Material, conn: BaseDBAsyncClient | None = None) -> None:
    """A newer material for the same code replaces the earlier ones."""
    await Material.filter(case_id=material.case_id, code=material.code, superseded=False).exclude(
        id=material.id
    ).using_db(conn).update(superseded=True)


def missing_required(
    version_materials: list[dict[str, Any]], present: list[Material]
) -> list[dict[str, str]]:
    have = {m.code for m in present if not m.superseded}
    return [
        {"code": s["code"], "name": s.get("name", s["code"])}
        for s in version_materials or []
        if s.get("required") and s.get("code") not in have
    ]


def view(material: Material) -> dict[str, Any]:
    ref = pii.decrypt(material.elicence_ref_enc) if material.elicence_ref_enc else None
    return {
        "id": material.id, "code": material.code, "name": material.name, "kind": material.kind,
        "filename": open_name(material.filename), "content_type": material.content_type,
        "size": material.size, "sha256": material.sha256,
        "elicence_type": material.elicence_type,
        "licence_no": _mask_licence(ref) if ref else None,
        # 免提交: staff see that it came from the licence library, not from the applicant
        "source": "licence_library" if material.kind == "elicence" else "upload",
        "superseded": material.superseded,
    }


def _mask_licence(value: str) -> str:
    return value[:2] + "*" * max(len(value) - 4, 2) + value[-2:] if len(value) > 4 else "****"
