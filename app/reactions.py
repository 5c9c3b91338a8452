"""What the outbox consumer does with an event besides messaging people and alerting staff:
outbound platform jobs (好差评 reports, 12345 replies) and the rating invitation after 办结.

Called by ``push.expand`` in the transaction that marks the events processed, so each event
reacts once, and what it makes commits with that mark (a job twice is one job: its key is
unique). Nothing here calls a platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from app import outbound
from app.outbox import emit
from models.core import OutboxEvent


@dataclass(frozen=True)
class JobSpec:
    edge: str
    kind: str
    key: str  # formatted with the event's payload: the idempotency key the platform receives
    when: str | None = None  # a payload value that must be present for the job to exist


_RECTIFICATION = "rectification-{rectification_id}-{step}"
EVENT_JOBS: dict[str, JobSpec] = {
    "rating.rated": JobSpec("haocp", "haocp.evaluation", "evaluation-{rating_id}-{revision}"),
    "rectification.opened": JobSpec("haocp", "haocp.rectification", _RECTIFICATION),
    "rectification.replied": JobSpec("haocp", "haocp.rectification", _RECTIFICATION),
    "rectification.closed": JobSpec("haocp", "haocp.rectification", _RECTIFICATION),
    "appeal.decided": JobSpec("haocp", "haocp.appeal", "appeal-{appeal_id}"),
    "ticket.replied": JobSpec("hotline", "hotline.reply", "reply-{reply_id}-{ticket_id}",
                              when="hotline_ticket_no"),
}
# a case ends here: the person who filed it is asked to rate it (好差评 "一事一评")
INVITE_ON = frozenset({"case.completed", "case.refused"})


def _payload(e: OutboxEvent) -> dict[str, Any]:
    return e.payload if isinstance(e.payload, dict) else {}


async def react(events: list[OutboxEvent], conn: BaseDBAsyncClient) -> None:
    for e in events:
        payload = _payload(e)
        spec = EVENT_JOBS.get(e.event_type)
        if spec is not None and (spec.when is None or payload.get(spec.when)):
            await outbound.enqueue(
                conn, key=spec.key.format_map(payload), edge=spec.edge, kind=spec.kind,
                payload=payload, department_id=payload.get("department_id"), event_id=e.id)
        elif e.event_type in INVITE_ON and e.person_id is not None:
            await emit("rating.invited", aggregate="case", aggregate_id=e.aggregate_id,
                       payload={k: payload.get(k) for k in ("case_id", "case_no", "item_name")},
                       person_id=e.person_id, connection=conn)
