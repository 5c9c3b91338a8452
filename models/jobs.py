"""Outbound platform jobs: what must reach a government back office (a 好差评 report, a reply
to the 12345 system), made from outbox events, sent outside any transaction and retried.

``key`` is the idempotency key the platform also receives, so a job sent twice (a lease ran
out, a worker died after sending) is one record there. A job that keeps failing ends ``dead``:
staff see it and may send it again.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class JobState(StrEnum):
    queued = "queued"
    sending = "sending"  # claimed; the lease in next_attempt_at makes it due again
    done = "done"
    dead = "dead"  # a final refusal, or the last retry failed


class PlatformJob(Model):
    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=128, unique=True)
    edge = fields.CharField(max_length=16)  # haocp | hotline
    kind = fields.CharField(max_length=32)
    payload = fields.JSONField[dict[str, Any]](default=dict)
    department_id = fields.IntField(null=True)
    state = fields.CharEnumField(JobState, max_length=8, default=JobState.queued)
    attempts = fields.IntField(default=0)
    next_attempt_at: datetime | None = fields.DatetimeField(null=True)
    claimed_by = fields.CharField(max_length=64, null=True)
    last_error = fields.CharField(max_length=255, null=True)
    response = fields.JSONField[dict[str, Any] | None](null=True)
    event_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    done_at: datetime | None = fields.DatetimeField(null=True)

    class Meta:
        table = "platform_job"
        indexes = (("state", "next_attempt_at"), ("department_id", "state", "id"))
