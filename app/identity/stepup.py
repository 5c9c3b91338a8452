"""Step-up (二次验证): a fresh check of the person, minutes old, before what cannot be taken back
or what shows data otherwise masked: deleting the account, unbinding a login channel, revealing
one's own unmasked data.

The check is a one-time SMS code sent to the phone on file (never to a number the request
names); it holds for ``STEP_UP_SECONDS`` for the login (token family) that passed it, so a
stolen token from another device gains nothing. A successful real-name check (ID card or face)
within the same minutes counts too, for a person with no phone on file (a WeChat-only login).
"""

from __future__ import annotations

from datetime import timedelta

from app.errors import Conflict, NotFound
from app.identity import otp
from app.identity.levels import StepUpRequired, require_recent_verification
from app.interfaces import SmsSender
from app.kv import KeyValue
from app.security import pii
from app.settings import Settings
from models.identity import Person

STEP_UP_SECONDS = 300


def _key(family_id: str) -> str:
    return f"step-up:{family_id}"


async def _phone(person_id: int) -> str:
    person = await Person.get_or_none(id=person_id)
    if person is None:
        raise NotFound("用户不存在", code="PERSON_NOT_FOUND")
    if not person.phone_enc:
        raise Conflict("账号未绑定手机号，请通过实名认证完成验证", code="STEP_UP_NO_PHONE")
    return pii.decrypt(person.phone_enc)


async def send_code(person_id: int, *, kv: KeyValue, sms: SmsSender, settings: Settings,
                    client_ip: str) -> int:
    """Send a code to the person's own phone; answer the seconds until another may be sent
    (the one-time-code limits and lockout of a login apply)."""
    return await otp.send_code(kv, sms, settings, await _phone(person_id), client_ip)


async def confirm(person_id: int, family_id: str, code: str, *, kv: KeyValue,
                  settings: Settings) -> int:
    """Spend the code; answer how many seconds the step-up now holds."""
    await otp.verify_code(kv, settings, await _phone(person_id), code)
    await kv.set(_key(family_id), "1", ex=STEP_UP_SECONDS)
    return STEP_UP_SECONDS


async def require(person_id: int, family_id: str, kv: KeyValue) -> None:
    """403 ``STEP_UP_REQUIRED`` unless this login passed a step-up within the last minutes."""
    if family_id and await kv.get(_key(family_id)) is not None:
        return
    try:
        await require_recent_verification(person_id, 2, timedelta(seconds=STEP_UP_SECONDS))
    except StepUpRequired:
        raise StepUpRequired(
            "此操作需要验证身份：请输入发送到您手机的验证码",
            fields={"method": "sms", "max_age_seconds": STEP_UP_SECONDS},
        ) from None


REVEALABLE = {"phone": "phone_enc", "name": "name_enc", "id_number": "id_number_enc"}


async def reveal_own(person_id: int, field: str) -> str | None:
    """One of the person's own values, unmasked (after ``require``)."""
    person = await Person.get_or_none(id=person_id)
    if person is None:
        raise NotFound("用户不存在", code="PERSON_NOT_FOUND")
    sealed = getattr(person, REVEALABLE[field])
    return pii.decrypt(sealed) if sealed else None
