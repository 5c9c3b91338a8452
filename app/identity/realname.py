"""Real-name verification: L2 by ID check or Alipay certified identity, L3 by face.

Order of work for every path: consent → validate the number locally (GB 11643 check digit,
birth date; no provider call for a number that cannot exist) → attempt limit → provider call
with no transaction open → record the outcome → apply the proof (``binding.apply_proof``).
A failed check changes nothing on the account.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

from app.clock import now
from app.errors import ApiError, BadRequest, TooManyRequests, UpstreamUnavailable
from app.identity import consents
from app.identity.binding import (
    AlreadyVerified,
    Proof,
    ProofApplied,
    apply_proof,
    record_attempt,
)
from app.identity.levels import require_level, require_recent_verification
from app.identity.numbers import InvalidNumber, normalize_id_number
from app.interfaces import ProviderError, RealNameOutcome, RealNameProvider
from app.kv import KeyValue
from app.security import pii
from models.identity import Person, RealNameVerification

log = logging.getLogger(__name__)

# the guards other services call, importable from here as well
__all__ = [
    "RealNameFailed",
    "check_id_number",
    "check_name",
    "finish_face",
    "require_level",
    "require_recent_verification",
    "start_face",
    "verify_alipay_share",
    "verify_id",
]

MAX_ATTEMPTS_PER_DAY = 10
FACE_SESSION_SECONDS = 1800


class RealNameFailed(ApiError):
    status = 422
    code = "REALNAME_MISMATCH"
    message = "姓名与身份证号码不一致，请核对后重新输入"


def check_number(normalize: Callable[[str], str], raw: str, *, code: str, field: str) -> str:
    """``normalize(raw)``, or a 422 naming the field and saying what is wrong with it."""
    try:
        return normalize(raw)
    except InvalidNumber as exc:
        raise ApiError(exc.message, code=code, status=422, fields={field: exc.message}) from None


def check_id_number(raw: str) -> str:
    return check_number(normalize_id_number, raw, code="ID_NUMBER_INVALID", field="id_number")


def check_name(raw: str) -> str:
    name = raw.strip()
    if not 2 <= len(name) <= 30 or any(c.isdigit() for c in name):
        raise ApiError(
            "请填写身份证上的姓名", code="NAME_INVALID", status=422, fields={"name": "格式不正确"}
        )
    return name


async def _count_attempt(kv: KeyValue, person_id: int) -> None:
    day = now().strftime("%Y%m%d")
    if await kv.incr(f"realname-attempts:{person_id}:{day}", ex=86400) > MAX_ATTEMPTS_PER_DAY:
        raise TooManyRequests("今日实名认证尝试次数过多，请明天再试", code="REALNAME_TOO_MANY",
                              retry_after=86400)


async def _call(provider: RealNameProvider, name: str, number: str, token: str | None) -> Any:
    try:
        return await provider.verify(name, number, token)
    except ProviderError as exc:
        log.warning("realname provider %s failed: %s", provider.source, type(exc).__name__)
        if exc.retryable:
            raise UpstreamUnavailable("身份核验服务暂时不可用，请稍后再试") from None
        raise ApiError(
            "身份信息无法核验，请核对后重新输入", code="REALNAME_CHECK_REFUSED", status=422
        ) from None


async def _finish(
    person_id: int, proof: Proof, outcome: RealNameOutcome, channel: str | None
) -> ProofApplied:
    if outcome is RealNameOutcome.MATCH:
        return await apply_proof(person_id, proof, channel)
    await record_attempt(person_id, proof, outcome.value, channel)
    if outcome is RealNameOutcome.NO_RECORD:
        raise RealNameFailed("未查询到该身份证号码的登记信息", code="REALNAME_NO_RECORD")
    raise RealNameFailed()


async def verify_id(
    person_id: int,
    name: str,
    id_number: str,
    *,
    provider: RealNameProvider,
    kv: KeyValue,
    channel: str | None,
) -> ProofApplied:
    await consents.require(person_id, "realname")
    name, number = check_name(name), check_id_number(id_number)
    person = await Person.get(id=person_id)
    if person.id_number_bidx and person.id_number_bidx != pii.blind_index(number, "id_number"):
        raise AlreadyVerified()  # before the (charged) provider call
    await _count_attempt(kv, person_id)
    result = await _call(provider, name, number, None)
    proof = Proof(name, number, result.level, result.source, result.raw_code)
    return await _finish(person_id, proof, result.outcome, channel)


async def verify_alipay_share(
    person_id: int, share: dict[str, Any], *, channel: str | None
) -> ProofApplied:
    """L2 from ``alipay.user.info.share``: only a certified 居民身份证 holder counts."""
    await consents.require(person_id, "realname")
    certified = share.get("is_certified") in (True, "T")
    if not certified or not share.get("is_id_card", str(share.get("cert_type", "0")) == "0"):
        raise ApiError(
            "支付宝账号未完成实名认证，请改用身份证核验",
            code="ALIPAY_NOT_CERTIFIED",
            status=422,
        )
    if not share.get("cert_no") or not share.get("user_name"):
        raise ApiError(
            "未获得支付宝实名信息授权，请改用身份证核验",
            code="ALIPAY_CERT_NOT_SHARED",
            status=422,
        )
    number = check_id_number(str(share["cert_no"]))
    proof = Proof(str(share["user_name"]).strip(), number, 2, "alipay", "T")
    return await apply_proof(person_id, proof, channel)


async def start_face(
    person_id: int,
    name: str | None,
    id_number: str | None,
    *,
    verifier: Any,
    kv: KeyValue,
    redirect_url: str,
) -> dict[str, str]:
    """Open a face session for the person's verified identity, or the one they state."""
    await consents.require(person_id, "face")
    person = await Person.get(id=person_id)
    if name and id_number:
        name, number = check_name(name), check_id_number(id_number)
    elif person.id_number_enc and person.name_enc:
        name, number = pii.decrypt(person.name_enc), pii.decrypt(person.id_number_enc)
    else:
        raise BadRequest("请填写姓名和身份证号码", code="IDENTITY_REQUIRED")
    await _count_attempt(kv, person_id)
    try:
        session = await verifier.start(name, number, redirect_url)
    except ProviderError as exc:
        if exc.retryable:
            raise UpstreamUnavailable("人脸核验服务暂时不可用，请稍后再试") from None
        raise ApiError("无法发起人脸核验", code="FACE_START_REFUSED", status=422) from None
    record = {"p": person_id, "n": pii.encrypt(name), "i": pii.encrypt(number)}
    await kv.set(f"face:{_hash(session.biz_token)}", json.dumps(record), ex=FACE_SESSION_SECONDS)
    return {"biz_token": session.biz_token, "url": session.url}


async def finish_face(
    person_id: int, biz_token: str, *, verifier: Any, kv: KeyValue, channel: str | None
) -> ProofApplied:
    key = f"face:{_hash(biz_token)}"
    raw = await kv.get(key)
    record = json.loads(raw) if raw else None
    if record is None or record["p"] != person_id:
        raise ApiError("人脸核验已失效，请重新发起", code="FACE_SESSION_INVALID", status=422)
    if await RealNameVerification.exists(proof_hash=_hash(biz_token)):
        raise ApiError("该人脸核验结果已使用", code="FACE_SESSION_USED", status=409)
    name, number = pii.decrypt(record["n"]), pii.decrypt(record["i"])
    try:
        result = await verifier.verify(name, number, biz_token)
    except ProviderError as exc:
        if exc.retryable:
            raise UpstreamUnavailable("人脸核验服务暂时不可用，请稍后再试") from None
        raise ApiError(
            "人脸核验尚未完成或未通过", code="FACE_NOT_COMPLETED", status=422
        ) from None
    await kv.delete(key)
    proof = Proof(name, number, result.level, result.source, result.raw_code, _hash(biz_token))
    if result.outcome is not RealNameOutcome.MATCH:
        await record_attempt(person_id, proof, result.outcome.value, channel)
        raise RealNameFailed("人脸核验未通过", code="FACE_MISMATCH")
    return await apply_proof(person_id, proof, channel)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
