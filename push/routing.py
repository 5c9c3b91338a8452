"""Which channels reach a person, in the order we try them.

WeChat template (only while following), WeChat subscribe (only with an unspent consent),
Alipay subscription message (same consent rule), app push to registered devices, and SMS —
paid, so for critical notices only. The notifiers themselves refuse when the person does not
follow or holds no consent; the dispatcher then falls through to the next step. The inbox is
not a step: it is always written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from models.identity import ChannelAccount, Person
from models.push import Device, Preference

ORDER = ("wechat_template", "wechat_subscribe", "alipay_subscribe", "app_push", "sms")


@dataclass
class Contacts:
    wechat: str | None = None
    alipay: str | None = None
    devices: list[str] = field(default_factory=list)
    phone_enc: str | None = None
    mute_normal: bool = False
    mute_bulk: bool = False
    disabled: set[str] = field(default_factory=set)


async def load_contacts(person_ids: list[int]) -> dict[int, Contacts]:
    """Everything routing needs for a batch of persons, in four queries."""
    out: dict[int, Contacts] = defaultdict(Contacts)
    ids = sorted(set(person_ids))
    if not ids:
        return out
    for acc in await ChannelAccount.filter(person_id__in=ids, channel__in=["wechat", "alipay"]
                                           ).order_by("id").values("person_id", "channel",
                                                                   "subject"):
        setattr(out[acc["person_id"]], acc["channel"], acc["subject"])
    for dev in await Device.filter(person_id__in=ids, active=True).order_by("id").values(
            "person_id", "registration_id"):
        out[dev["person_id"]].devices.append(dev["registration_id"])
    for p in await Person.filter(id__in=ids).values("id", "phone_enc"):
        out[p["id"]].phone_enc = p["phone_enc"]
    for pref in await Preference.filter(person_id__in=ids).values(
            "person_id", "mute_normal", "mute_bulk", "disabled_channels"):
        c = out[pref["person_id"]]
        c.mute_normal, c.mute_bulk = pref["mute_normal"], pref["mute_bulk"]
        c.disabled = set(pref["disabled_channels"] or [])
    return out


def muted(contacts: Contacts, priority: str) -> bool:
    """Legal notices can't be muted."""
    return (priority == "normal" and contacts.mute_normal) or (
        priority == "bulk" and contacts.mute_bulk)


def plan(contacts: Contacts, priority: str) -> list[dict[str, Any]]:
    """The ordered route; SMS phones stay encrypted (decrypted just before sending)."""
    steps: list[dict[str, Any]] = []
    candidates = {
        "wechat_template": contacts.wechat,
        "wechat_subscribe": contacts.wechat,
        "alipay_subscribe": contacts.alipay,
        "app_push": ",".join(contacts.devices) or None,
        "sms": contacts.phone_enc if priority == "critical" else None,
    }
    for channel in ORDER:
        recipient = candidates[channel]
        # a person may switch channels off, but legal notices keep at least SMS
        if recipient and (channel not in contacts.disabled or
                          (priority == "critical" and channel == "sms")):
            steps.append({"channel": channel, "recipient": recipient})
    return steps
