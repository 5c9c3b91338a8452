"""Real-name levels and the guards other services call.

L0 nothing proven, L1 phone verified (app login), L2 name + ID number checked by an ID
verification provider or shared by Alipay as certified, L3 face verified.
"""

from __future__ import annotations

from datetime import timedelta

from app.clock import now
from app.errors import ApiError, NotFound
from models.identity import Person, RealNameVerification

LEVEL_NAMES = {0: "未认证", 1: "手机号已验证", 2: "实名认证", 3: "人脸认证"}


class RealNameLevelRequired(ApiError):
    status = 403
    code = "REALNAME_LEVEL_REQUIRED"
    message = "办理此事项需要更高等级的实名认证"


class StepUpRequired(ApiError):
    status = 403
    code = "STEP_UP_REQUIRED"
    message = "此操作需要重新核验身份"


async def require_level(person_id: int, level: int) -> Person:
    """The person, if their real-name level is at least ``level``; else 403 with the level."""
    person = await Person.get_or_none(id=person_id)
    if person is None:
        raise NotFound("用户不存在", code="PERSON_NOT_FOUND")
    if person.realname_level < level:
        raise RealNameLevelRequired(
            f"办理此事项需要“{LEVEL_NAMES.get(level, level)}”（L{level}）",
            fields={"required_level": level, "current_level": person.realname_level},
        )
    return person


async def require_recent_verification(
    person: Person | int, level: int, max_age: timedelta
) -> RealNameVerification:
    """For sensitive actions: a successful check of at least ``level`` within ``max_age``."""
    person_id = person if isinstance(person, int) else person.id
    latest = (
        await RealNameVerification.filter(
            person_id=person_id,
            outcome="match",
            level__gte=level,
            created_at__gte=now() - max_age,
        )
        .order_by("-created_at")
        .first()
    )
    if latest is None:
        raise StepUpRequired(
            fields={"required_level": level, "max_age_seconds": int(max_age.total_seconds())}
        )
    return latest
