"""Separate consent (单独同意, PIPL art. 29) before real-name and face checks.

The texts are versioned: a consent counts only for the version the person actually saw, so a
new text version asks again.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.clock import now
from app.errors import ApiError, BadRequest
from models.identity import Consent


@dataclass(frozen=True)
class ConsentText:
    purpose: str
    version: str
    title: str
    text: str


TEXTS: dict[str, ConsentText] = {
    "realname": ConsentText(
        "realname",
        "2026-11-v1",
        "实名认证个人信息处理单独同意",
        "为核验您的身份，我们将把您的姓名、身份证号码提交至公安部门身份核验服务进行比对。"
        "身份证号码属于敏感个人信息，仅用于实名认证和政务服务办理，加密存储，"
        "不会用于其他目的。您可以拒绝，但将无法办理需要实名认证的事项。",
    ),
    "face": ConsentText(
        "face",
        "2026-11-v1",
        "人脸识别个人信息处理单独同意",
        "为确认是您本人操作，我们将采集您的人脸图像并与公安部门留存的证件照片比对。"
        "人脸信息属于敏感个人信息，仅用于本次核验，核验服务商不向我们提供人脸图像，"
        "我们只保存核验结果。您可以拒绝，但将无法完成高等级实名认证。",
    ),
}


class ConsentRequired(ApiError):
    status = 403
    code = "CONSENT_REQUIRED"
    message = "请先阅读并同意个人信息处理规则"


async def grant(person_id: int, purpose: str, version: str, channel: str | None) -> Consent:
    text = TEXTS.get(purpose)
    if text is None:
        raise BadRequest("不支持的同意事项", code="CONSENT_UNKNOWN", fields={"purpose": "不支持"})
    if version != text.version:
        raise BadRequest(
            "同意书版本已更新，请重新阅读",
            code="CONSENT_VERSION_OUTDATED",
            fields={"text_version": text.version},
        )
    return await Consent.create(
        person_id=person_id,
        purpose=purpose,
        text_version=version,
        channel=channel,
        granted_at=now(),
    )


async def withdraw(person_id: int, purpose: str) -> int:
    return await Consent.filter(
        person_id=person_id, purpose=purpose, withdrawn_at__isnull=True
    ).update(withdrawn_at=now())


async def require(person_id: int, purpose: str) -> None:
    text = TEXTS[purpose]
    ok = await Consent.exists(
        person_id=person_id,
        purpose=purpose,
        text_version=text.version,
        withdrawn_at__isnull=True,
    )
    if not ok:
        raise ConsentRequired(fields={"purpose": purpose, "text_version": text.version})


async def current(person_id: int) -> list[dict[str, object]]:
    rows = await Consent.filter(person_id=person_id).order_by("-granted_at")
    return [
        {
            "purpose": r.purpose,
            "text_version": r.text_version,
            "granted_at": r.granted_at.isoformat(),
            "withdrawn_at": r.withdrawn_at.isoformat() if r.withdrawn_at else None,
        }
        for r in rows
    ]
