"""The user centre: my profile (masked), my logins, my sessions, my cases, account deletion."""

from __future__ import annotations

from typing import Any, cast

from tortoise.fields import CharField
from tortoise.transactions import in_transaction

from app.clock import now
from app.errors import ApiError, Conflict, NotFound
from app.identity.levels import LEVEL_NAMES
from app.identity.sessions import revoke_all_sessions
from app.kv import KeyValue
from app.security import pii
from app.security.tokens import revoke_family
from models.cases import Case, CaseStatus
from models.core import RefreshToken
from models.identity import ChannelAccount, DeletionRequest, Person

FAMILY_ID_MAX = cast(CharField, RefreshToken._meta.fields_map["family_id"]).max_length
CHANNEL_NAMES = {"app": "手机号", "wechat": "微信", "alipay": "支付宝"}
CLOSED_CASE_STATES = [
    str(s) for s in (CaseStatus.draft, CaseStatus.completed, CaseStatus.withdrawn,
                     CaseStatus.refused, CaseStatus.denied)
]

# What the law makes us keep after an account is deleted, said to the person as it is.
RETAINED_BY_LAW = [
    "已提交的办件及其材料、审批记录，按《中华人民共和国档案法》和政务服务档案管理规定保存；",
    "缴费、退款记录，按《中华人民共和国会计法》《会计档案管理办法》保存；",
    "实名核验与登录日志，按《中华人民共和国网络安全法》保存不少于六个月；",
    "以上信息仅用于依法留存和查询，不再用于提供服务。",
]


async def _person(person_id: int) -> Person:
    person = await Person.get_or_none(id=person_id)
    if person is None or person.status in {"deleted", "merged"}:
        raise NotFound("用户不存在", code="PERSON_NOT_FOUND")
    return person


def _plain(value: str | None) -> str | None:
    return pii.decrypt(value) if value else None


async def profile(person_id: int) -> dict[str, Any]:
    person = await _person(person_id)
    return {
        "person_id": person.id,
        "phone": pii.mask_phone(_plain(person.phone_enc)),
        "name": pii.mask_name(_plain(person.name_enc)),
        "id_number": pii.mask_id_number(_plain(person.id_number_enc)),
        "realname_level": person.realname_level,
        "realname_level_name": LEVEL_NAMES.get(person.realname_level, ""),
        "realname_source": person.realname_source,
        "realname_at": person.realname_at.isoformat() if person.realname_at else None,
        "status": person.status,
    }


def _mask_subject(account: ChannelAccount, phone: str | None) -> str:
    if account.channel == "app":
        if phone and pii.blind_index(phone, "phone") == account.subject:
            return pii.mask_phone(phone) or ""
        return "已绑定手机号"
    s = account.subject
    return s[:4] + "****" + s[-4:] if len(s) > 10 else "****"


async def channels(person_id: int) -> list[dict[str, Any]]:
    person = await _person(person_id)
    phone = _plain(person.phone_enc)
    return [
        {
            "id": a.id,
            "channel": a.channel,
            "channel_name": CHANNEL_NAMES.get(a.channel, a.channel),
            "account": _mask_subject(a, phone),
            "bound_at": a.created_at.isoformat(),
            "last_login_at": a.last_login_at.isoformat() if a.last_login_at else None,
        }
        for a in await ChannelAccount.filter(person_id=person_id).order_by("id")
    ]


async def unbind(person_id: int, account_id: int, kv: KeyValue) -> None:
    """Remove one login; when it was the person's last one in its channel, the sessions
    opened through that channel end with it."""
    async with in_transaction() as conn:
        # lock the person so two concurrent unbinds cannot both pass the last-login check
        await Person.filter(id=person_id).select_for_update().using_db(conn).get()
        accounts = await ChannelAccount.filter(person_id=person_id).using_db(conn)
        target = next((a for a in accounts if a.id == account_id), None)
        if target is None:
            raise NotFound("绑定关系不存在", code="ACCOUNT_NOT_FOUND")
        if len(accounts) <= 1:
            raise Conflict("这是您唯一的登录方式，不能解除绑定", code="LAST_LOGIN_METHOD")
        await target.delete(using_db=conn)
        # the phone stops being a login; it is no longer kept as the person's contact either
        if target.channel == "app":
            await Person.filter(id=person_id, phone_bidx=target.subject).using_db(conn).update(
                phone_enc=None, phone_bidx=None
            )
    if any(a.channel == target.channel for a in accounts if a.id != target.id):
        return  # another login of that channel (a second phone) may hold those sessions
    await revoke_all_sessions(person_id, kv, "unbound", channel=target.channel)
    if target.channel == "alipay":
        await kv.delete(f"alipay-auth:{person_id}")  # the Alipay token of that login


async def sessions(person_id: int, current_family: str | None) -> list[dict[str, Any]]:
    """One entry per login (refresh-token family) still alive."""
    rows = await RefreshToken.filter(
        subject_kind="citizen",
        subject_id=person_id,
        revoked_at__isnull=True,
        expires_at__gt=now(),
    ).order_by("issued_at")
    families: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = families.setdefault(
            r.family_id,
            {
                "session_id": r.family_id,
                "channel": r.channel,
                "device": r.device,
                "signed_in_at": r.issued_at.isoformat(),
                "current": r.family_id == current_family,
            },
        )
        entry["last_active_at"] = (r.last_used_at or r.issued_at).isoformat()
    return list(families.values())


async def revoke_session(person_id: int, family_id: str, kv: KeyValue) -> None:
    owned = len(family_id) <= FAMILY_ID_MAX and await RefreshToken.exists(
        subject_kind="citizen", subject_id=person_id, family_id=family_id
    )
    if not owned:
        raise NotFound("会话不存在", code="SESSION_NOT_FOUND")
    await revoke_family(family_id, "user", kv)


async def _open_cases(person_id: int) -> int:
    return await Case.filter(person_id=person_id).exclude(status__in=CLOSED_CASE_STATES).count()


async def my_cases(person_id: int, limit: int = 50) -> list[dict[str, Any]]:
    rows = await Case.filter(person_id=person_id).order_by("-created_at").limit(limit)
    return [
        {
            "id": c.id,
            "number": c.number,
            "item_name": c.item_name,
            "status": str(c.status),
            "company_id": c.company_id,
            "channel": c.channel,
            "created_at": c.created_at.isoformat(),
        }
        for c in rows
    ]


async def request_deletion(person_id: int, reason: str | None, kv: KeyValue) -> dict[str, Any]:
    """Delete the account now: logins, sessions and personal fields go; what the law makes
    us keep stays, detached from any login, and the answer says what and why."""
    person = await _person(person_id)
    open_cases = await _open_cases(person_id)
    if open_cases:
        raise ApiError(
            "您有正在办理的事项，办结或撤回后才能注销账号",
            code="OPEN_CASES",
            status=409,
            fields={"open_cases": open_cases},
        )
    async with in_transaction() as conn:
        req = await DeletionRequest.create(
            person_id=person_id,
            reason=(reason or "")[:200] or None,
            requested_at=now(),
            completed_at=now(),
            status="done",
            using_db=conn,
        )
        await ChannelAccount.filter(person_id=person_id).using_db(conn).delete()
        person.phone_enc = person.phone_bidx = None  # type: ignore[assignment]  # TextField(null=True) is typed str
        person.name_enc = None  # type: ignore[assignment]  # TextField(null=True) is typed str
        # the ID number stays encrypted for the retained records; its index goes so a new
        # account can verify the same person afresh
        person.id_number_bidx = None
        person.status = "deleted"
        await person.save(using_db=conn)
    await revoke_all_sessions(person_id, kv, "deleted")
    return {"request_id": req.id, "status": req.status, "retained": RETAINED_BY_LAW}
