"""Applying a successful real-name proof: raise the level, or bind to the verified person.

"一次认证、全网通办": when a proof names an ID number that already belongs to another verified
person, the natural person is the same, so the current login's channel accounts (and anything
filed under the unverified login) move to that person instead of creating a second one.

Joining a verified person takes a proof of being that person, not of knowing their name and ID
number: a face check (L3), or a platform's certified identity that only its holder can share
(Alipay's). An ID-number check alone (L2 through the ID-check service) is answered 409
``REALNAME_CONFLICT`` asking for L3 — otherwise anyone who knows a person's name and number
could read their cases. Even with Alipay's identity, a verified person who already holds a
login in the same channel (another phone, another WeChat account) is only joined after L3.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.clock import now
from app.errors import ApiError
from app.security import pii
from models.cases import Case
from models.express import Shipment
from models.identity import ChannelAccount, Person, RealNameVerification

log = logging.getLogger(__name__)


class RealNameConflict(ApiError):
    status = 409
    code = "REALNAME_CONFLICT"
    message = "该身份证号码已绑定其他账号，请完成人脸核验确认是您本人后再绑定"


# proof sources that only the person can produce (besides face, L3)
HOLDER_SOURCES = frozenset({"alipay"})


class AlreadyVerified(ApiError):
    status = 409
    code = "REALNAME_ALREADY_VERIFIED"
    message = "您的账号已绑定其他身份证号码，不能更改"


@dataclass(frozen=True)
class Proof:
    name: str
    id_number: str  # canonical, validated
    level: int
    source: str
    raw_code: str | None = None
    proof_hash: str | None = None


@dataclass(frozen=True)
class ProofApplied:
    person_id: int
    level: int
    bound_from: int | None  # the login's former person id when its accounts moved


async def record_attempt(
    person_id: int, proof: Proof, outcome: str, channel: str | None
) -> None:
    await RealNameVerification.create(
        person_id=person_id,
        level=proof.level,
        source=proof.source,
        outcome=outcome,
        raw_code=proof.raw_code,
        channel=channel,
        id_number_bidx=pii.blind_index(proof.id_number, "id_number"),
    )


async def apply_proof(person_id: int, proof: Proof, channel: str | None) -> ProofApplied:
    """Apply once more if a concurrent proof of the same ID number won the unique index: the
    second time round the number has an owner and the binding rules decide."""
    try:
        return await _apply(person_id, proof, channel)
    except IntegrityError:
        try:
            return await _apply(person_id, proof, channel)
        except IntegrityError:
            raise ApiError(
                "该核验结果已被使用，请重新核验", code="REALNAME_PROOF_USED", status=409
            ) from None


async def _apply(person_id: int, proof: Proof, channel: str | None) -> ProofApplied:
    bidx = pii.blind_index(proof.id_number, "id_number")
    async with in_transaction() as conn:
        me = await Person.filter(id=person_id).select_for_update().using_db(conn).get()
        if me.id_number_bidx and me.id_number_bidx != bidx:
            raise AlreadyVerified()
        owner = (
            await Person.filter(id_number_bidx=bidx)
            .exclude(id=person_id)
            .select_for_update()
            .using_db(conn)
            .first()
        )
        target = me if owner is None else owner
        if owner is not None:
            await _bind(me, owner, proof, conn)
        else:
            me.name_enc = pii.encrypt(proof.name)
            me.id_number_enc = pii.encrypt(proof.id_number)
            me.id_number_bidx = bidx
        if proof.level >= target.realname_level:
            target.realname_level = proof.level
            target.realname_source = proof.source
            target.realname_at = now()
        await target.save(using_db=conn)
        await RealNameVerification.create(
            person_id=target.id,
            level=proof.level,
            source=proof.source,
            outcome="match",
            raw_code=proof.raw_code,
            channel=channel,
            id_number_bidx=bidx,
            proof_hash=proof.proof_hash,
            using_db=conn,
        )
    log.info(
        "realname proof applied person=%s level=%s source=%s bound_from=%s",
        target.id, proof.level, proof.source, me.id if owner else None,
    )
    return ProofApplied(target.id, target.realname_level, me.id if owner else None)


async def _bind(me: Person, owner: Person, proof: Proof, conn: BaseDBAsyncClient) -> None:
    if owner.name_enc and pii.decrypt(owner.name_enc) != proof.name:
        raise RealNameConflict("姓名与该身份证号码已认证的姓名不一致，请联系窗口工作人员")
    mine = await ChannelAccount.filter(person_id=me.id).using_db(conn)
    theirs = await ChannelAccount.filter(person_id=owner.id).using_db(conn)
    taken = {a.channel for a in theirs}
    if proof.level < 3 and (
        proof.source not in HOLDER_SOURCES or any(a.channel in taken for a in mine)
    ):
        raise RealNameConflict(fields={"required_level": 3})
    await ChannelAccount.filter(person_id=me.id).using_db(conn).update(person_id=owner.id)
    if owner.phone_bidx is None and me.phone_bidx is not None:
        owner.phone_enc, owner.phone_bidx = me.phone_enc, me.phone_bidx
    # the merged record keeps no phone: its login (an app account) now belongs to the owner,
    # and a later login with that phone must never land in the empty record
    me.phone_enc = me.phone_bidx = None  # type: ignore[assignment]  # TextField(null=True) is typed str
    await _move_cases(me.id, owner.id, conn)
    me.status = "merged"
    await me.save(using_db=conn)


async def _move_cases(from_id: int, to_id: int, conn: BaseDBAsyncClient) -> None:
    """Cases filed under the unverified login, and their shipments, belong to the same
    natural person."""
    await Case.filter(person_id=from_id).using_db(conn).update(person_id=to_id)
    await Shipment.filter(person_id=from_id).using_db(conn).update(person_id=to_id)
