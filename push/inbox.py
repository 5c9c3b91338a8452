"""The message centre: list, unread count, mark read, device registration and preferences."""

from __future__ import annotations

from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from app import clock
from models.push import Device, InboxMessage, Preference
from push.routing import ORDER as ALL_CHANNELS

M = TypeVar("M", bound=Model)


def shape(m: InboxMessage) -> dict[str, Any]:
    return {"id": m.id, "category": m.category, "title": m.title, "body": m.body,
            "link": m.link, "case_id": m.case_id, "read": m.read_at is not None,
            "created_at": clock.iso(m.created_at)}


async def newest_first(query: QuerySet[M], *, before: int | None, limit: int
                       ) -> tuple[list[M], int | None]:
    """One page of rows, newest first, below the cursor ``before``; answer the rows and the
    next cursor (None on the last page)."""
    if before:
        query = query.filter(id__lt=before)
    rows = await query.order_by("-id").limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more and rows else None)


async def page(person_id: int, *, before: int | None, limit: int, unread_only: bool
               ) -> tuple[list[dict[str, Any]], int | None]:
    query = InboxMessage.filter(person_id=person_id)
    if unread_only:
        query = query.filter(read_at=None)
    rows, cursor = await newest_first(query, before=before, limit=limit)
    return [shape(m) for m in rows], cursor


async def unread(person_id: int) -> int:
    return await InboxMessage.filter(person_id=person_id, read_at=None).count()


async def mark_read(person_id: int, ids: list[int] | None) -> int:
    """Mark the given messages (or all when ``ids`` is None) read; answer how many changed."""
    query = InboxMessage.filter(person_id=person_id, read_at=None)
    if ids is not None:
        query = query.filter(id__in=ids)
    return await query.update(read_at=clock.now())


async def register_device(person_id: int, registration_id: str, platform: str) -> Device:
    """A registration id belongs to the last person who signed in on that phone."""
    device, created = await Device.get_or_create(
        registration_id=registration_id,
        defaults={"person_id": person_id, "platform": platform})
    if not created and (device.person_id != person_id or not device.active
                        or device.platform != platform):
        device.person_id, device.active, device.platform = person_id, True, platform
        await device.save()
    return device


async def unregister_device(person_id: int, registration_id: str) -> bool:
    return bool(await Device.filter(person_id=person_id, registration_id=registration_id
                                    ).update(active=False))


async def get_preferences(person_id: int) -> dict[str, Any]:
    pref = await Preference.get_or_none(person_id=person_id)
    return {
        "mute_normal": bool(pref and pref.mute_normal),
        "mute_bulk": bool(pref and pref.mute_bulk),
        "disabled_channels": list(pref.disabled_channels if pref else []),
    }


async def set_preferences(person_id: int, *, mute_normal: bool, mute_bulk: bool,
                          disabled_channels: list[str]) -> dict[str, Any]:
    disabled = sorted(set(disabled_channels) & set(ALL_CHANNELS))
    await Preference.update_or_create(
        person_id=person_id, defaults={"mute_normal": mute_normal, "mute_bulk": mute_bulk,
                                       "disabled_channels": disabled})
    return await get_preferences(person_id)
