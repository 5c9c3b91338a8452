"""Files attached to a ticket or to a 申诉, under the limits and storage of materials
(``app.cases.materials.store_upload``): nothing is written until the file has passed them."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from app import clock
from app.cases.materials import open_name, store_upload
from app.errors import Conflict
from models.tickets import Attachment, AttachmentOwner

MAX_PER_OWNER = 5


async def attach(owner: AttachmentOwner, owner_id: int, *, filename: str, content: bytes,
                 uploaded_by: str) -> Attachment:
    await _room(owner, owner_id)  # before the file is stored: a refused one leaves nothing
    stored = await store_upload(content, filename, owner.value)
    async with in_transaction() as conn:
        await _room(owner, owner_id, conn)
        return await Attachment.create(
            owner_kind=owner, owner_id=owner_id, filename=stored.filename,
            content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
            storage_path=stored.storage_path, uploaded_by=uploaded_by, using_db=conn)


async def _room(owner: AttachmentOwner, owner_id: int, conn: Any = None) -> None:
    count = await Attachment.filter(owner_kind=owner, owner_id=owner_id).using_db(conn).count()
    if count >= MAX_PER_OWNER:
        raise Conflict(f"附件最多{MAX_PER_OWNER}个", code="ATTACHMENT_LIMIT")


async def of(owner: AttachmentOwner, owner_id: int) -> list[dict[str, Any]]:
    rows = await Attachment.filter(owner_kind=owner, owner_id=owner_id).order_by("id")
    return [view(a) for a in rows]


def view(a: Attachment) -> dict[str, Any]:
    return {"id": a.id, "filename": open_name(a.filename), "content_type": a.content_type,
            "size": a.size, "sha256": a.sha256, "created_at": clock.iso(a.created_at)}
