"""Channel logins beyond the app: WeChat web OAuth and the Alipay mini-program.

Every login ends the same way: the channel's ``LoginProvider`` names a platform identity,
``login_or_register`` finds or creates the person behind it, and the same kind of token pair is
issued. Platform errors become clear 4xx answers (a bad, expired or reused code is the
caller's problem), platform outages a 503.
"""

from __future__ import annotations

import logging
from typing import Any

from app.errors import ApiError, BadRequest, UpstreamUnavailable
from app.identity.accounts import login_or_register
from app.interfaces import LoginProvider, PlatformIdentity, ProviderError
from app.kv import KeyValue
from app.security import pii, tokens

log = logging.getLogger(__name__)

# platform code or sub_code → (our code, message)
_KNOWN: dict[str, tuple[str, str]] = {
    "40029": ("LOGIN_CODE_INVALID", "授权码无效或已过期，请重新授权登录"),
    "40163": ("LOGIN_CODE_USED", "授权码已使用，请重新授权登录"),
    "41008": ("LOGIN_CODE_INVALID", "缺少授权码，请重新授权登录"),
    "isv.code-invalid": ("LOGIN_CODE_INVALID", "授权码无效或已过期，请重新授权登录"),
}


class LoginFailed(ApiError):
    status = 400
    code = "LOGIN_FAILED"
    message = "登录失败，请重新授权"


async def identify(provider: LoginProvider, credential: dict[str, Any]) -> PlatformIdentity:
    try:
        return await provider.identify(credential)
    except ProviderError as exc:
        key = str(getattr(exc, "sub_code", None) or exc.code or "")
        log.info("%s login refused: %s %s", provider.channel, type(exc).__name__, key)
        if exc.retryable:
            raise UpstreamUnavailable("登录服务暂时不可用，请稍后再试") from None
        if "Signature" in type(exc).__name__:
            raise LoginFailed(
                "平台应答验签失败，登录未完成", code="LOGIN_RESPONSE_UNVERIFIED"
            ) from None
        code, message = _KNOWN.get(key, (LoginFailed.code, LoginFailed.message))
        raise LoginFailed(message, code=code, fields={"platform_code": key}) from None


async def login(
    provider: LoginProvider,
    credential: dict[str, Any],
    *,
    kv: KeyValue,
    device: str | None,
) -> dict[str, Any]:
    identity = await identify(provider, credential)
    if identity.extra.get("is_snapshotuser"):
        # WeChat's snapshot page (朋友圈快照) logs in a virtual user, not the person
        raise BadRequest("请点击页面底部“使用完整服务”后再登录", code="LOGIN_SNAPSHOT_USER")
    person_id = await login_or_register(identity)
    token = identity.extra.get("access_token") if identity.channel == "alipay" else None
    if token:
        # kept for the Alipay real-name share (alipay.user.info.share), encrypted, briefly
        ttl = min(int(identity.extra.get("expires_in") or 3600), 3600)
        await kv.set(f"alipay-auth:{person_id}", pii.encrypt(str(token)), ex=ttl)
    pair = await tokens.issue_pair("citizen", person_id, device=device, channel=identity.channel)
    return {**pair.as_dict(), "person_id": person_id, "channel": identity.channel}


async def alipay_token(kv: KeyValue, person_id: int) -> str:
    sealed = await kv.get(f"alipay-auth:{person_id}")
    if not sealed:
        raise ApiError(
            "支付宝授权已过期，请在支付宝小程序中重新登录", code="ALIPAY_AUTH_EXPIRED", status=401
        )
    return pii.decrypt(sealed)


async def alipay_share(provider: Any, access_token: str) -> dict[str, Any]:
    try:
        return dict(await provider.share_user_info(access_token))
    except ProviderError as exc:
        if exc.retryable:
            raise UpstreamUnavailable("支付宝服务暂时不可用，请稍后再试") from None
        if "Signature" in type(exc).__name__:
            raise LoginFailed("平台应答验签失败", code="LOGIN_RESPONSE_UNVERIFIED") from None
        raise ApiError(
            "未能获得支付宝实名信息，请改用身份证核验", code="ALIPAY_SHARE_FAILED", status=422
        ) from None
