"""Finding and creating the person behind a channel login."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.clock import now
from app.interfaces import PlatformIdentity
from app.security import pii
from models.identity import ChannelAccount, Person


def account_subject(identity: PlatformIdentity) -> str:
    """App accounts are keyed by the phone's blind index, never the phone itself."""
    if identity.channel == "app":
        return pii.blind_index(identity.subject, "phone")
    return identity.subject


async def find_person_by_account(channel: str, subject: str) -> int | None:
    if channel == "app":
        subject = pii.blind_index(subject, "phone")
    account = await ChannelAccount.filter(channel=channel, subject=subject).first()
    return account.person_id if account else None


async def login_or_register(identity: PlatformIdentity) -> int:
    """The person behind this channel identity, created on first login."""
    subject = account_subject(identity)
    account = await ChannelAccount.filter(channel=identity.channel, subject=subject).first()
    if account is None:
        try:
            async with in_transaction() as conn:
                person = await _person_for_new_account(identity, conn)
                account = await ChannelAccount.create(
                    person=person,
                    channel=identity.channel,
                    subject=subject,
                    union_id=identity.union_id,
                    using_db=conn,
                )
        except IntegrityError:  # a concurrent first login won the race
            account = await ChannelAccount.get(channel=identity.channel, subject=subject)
    account.last_login_at = now()
    await account.save(update_fields=["last_login_at"])
    return account.person_id


async def _person_for_new_account(identity: PlatformIdentity, conn: BaseDBAsyncClient
                                  ) -> Person:
    if identity.union_id:  # same WeChat user through another app of the same open platform
        family = identity.channel.split("_")[0]  # WeChat's unionid and Alipay's are apart
        sibling = await ChannelAccount.filter(
            union_id=identity.union_id, channel__startswith=family,
            person__status="active",
        ).using_db(conn).first()
        if sibling:
            return await Person.get(id=sibling.person_id).using_db(conn)  # type: ignore[attr-defined]
    if identity.channel == "app":
        bidx = pii.blind_index(identity.subject, "phone")
        existing = await Person.filter(phone_bidx=bidx, status="active").using_db(conn).first()
        if existing:
            return existing
        return await Person.create(
            phone_enc=pii.encrypt(identity.subject),
            phone_bidx=bidx,
            realname_level=1,
            realname_source="sms",
            realname_at=now(),
            using_db=conn,
        )
    return await Person.create(using_db=conn)
