"""From a notifier's answer to an honest delivery state, and when to try again."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from app.interfaces import DeliveryOutcome, SendResult
from models.push import DeliveryState

# channels whose platform sends a receipt later (WeChat TEMPLATESENDJOBFINISH and
# subscribe_msg_sent_event)
RECEIPT_CHANNELS = frozenset({"wechat_template", "wechat_subscribe"})
OPTED_OUT_CODES = frozenset({"43004"})  # 需要接收者关注
NO_CONSENT_CODES = frozenset({"43101", "no_consent"})  # 用户拒绝接受消息 / no unspent consent


def final_state(channel: str, result: SendResult) -> DeliveryState:
    """The state of a delivery the platform answered for good (sent or refused)."""
    if result.outcome is DeliveryOutcome.SENT:
        return DeliveryState.accepted if channel in RECEIPT_CHANNELS else DeliveryState.sent
    code = str(result.raw_code or "")
    if code in OPTED_OUT_CODES:
        return DeliveryState.opted_out
    if code in NO_CONSENT_CODES:
        return DeliveryState.out_of_consent
    return DeliveryState.failed


def backoff(attempts: int, *, base: float, cap: float, now: datetime) -> datetime:
    """Exponential backoff with jitter (half fixed, half random) after ``attempts`` tries."""
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    return now + timedelta(seconds=delay / 2 + random.uniform(0, delay / 2))
