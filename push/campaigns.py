"""Staff campaigns (运营推送): create, preview, send, pause, cancel, progress.

Sending resolves the audience into ``CampaignRecipient`` rows at once; the dispatchers'
campaign lane then turns them into notifications a chunk at a time, at bulk priority, so a
campaign of a million people stays behind every critical and normal message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from tortoise.functions import Count
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from app import clock, outbox
from app.errors import Forbidden, NotFound
from app.notices import priority_of
from app.staff import Role, StaffPrincipal
from models.cases import Case
from models.catalogue import ServiceItem
from models.core import AuditLog
from models.identity import Person
from models.push import Campaign, CampaignRecipient, Delivery, DeliveryState
from push.enqueue import Draft, Live, enqueue
from push.templates import Rendered

CHUNK = 1000
LIVE_STATES = ("draft", "scheduled", "sending", "delivering", "paused")


class CampaignError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


async def audit(staff_id: int, action: str, campaign: Campaign, *, conn: Any = None,
                **detail: Any) -> None:
    await AuditLog.create(actor_kind="staff", actor_id=str(staff_id), action=action,
                          target=f"campaign:{campaign.id}", detail=detail, using_db=conn)


async def campaign_for_staff(campaign_id: int, staff: StaffPrincipal) -> Campaign:
    """A campaign of a department the staff member sees; others answer 404."""
    campaign = await Campaign.get_or_none(id=campaign_id)
    if campaign is None or not staff.sees_department(campaign.department_id):
        raise NotFound("推送任务不存在", code="CAMPAIGN_NOT_FOUND")
    return campaign


async def check_audience(staff: StaffPrincipal, audience: dict[str, Any]) -> None:
    """A campaign reaches only the applicants of departments its author sees: another
    department's cases, or the applicants of its items, answer 404 as if they did not exist."""
    kind = audience.get("kind")
    if kind == "department" and not staff.sees_department(audience.get("department_id")):
        raise NotFound("部门不存在", code="DEPARTMENT_NOT_FOUND")
    scope = staff.department_scope
    if kind == "item_state" and scope is not None and not await ServiceItem.exists(
        id=audience.get("item_id"), department_id=scope
    ):
        raise NotFound("事项不存在", code="ITEM_NOT_FOUND")


@dataclass(frozen=True)
class Resolved:
    """An audience as it stands: the people it reaches, and the person ids it was given that
    name no one the campaign may reach (unknown, or without a case in its department). Those
    are reported, never counted; which of the two an id is stays unsaid, so an operator
    cannot probe who exists."""

    persons: list[int]
    unreachable: list[int]


def reachable(scope: int | None) -> QuerySet[Case]:
    """The people a campaign of ``scope`` may reach (``StaffPrincipal.department_scope``:
    ``None`` for an admin): those who have a case with that department."""
    return Case.all() if scope is None else Case.filter(department_id=scope)


async def create(staff: StaffPrincipal, *, title: str, body: str, link: str | None,
                 audience: dict[str, Any], rate_limits: dict[str, int],
                 scheduled_at: datetime | None) -> Campaign:
    await check_audience(staff, audience)
    async with in_transaction() as conn:
        campaign = await Campaign.create(
            title=title, body=body, link=link, audience=audience, rate_limits=rate_limits,
            scheduled_at=scheduled_at, created_by=staff.id, department_id=staff.department_id,
            audience_scope=staff.department_scope, using_db=conn)
        await audit(staff.id, "push.campaign.create", campaign, conn=conn, title=title,
                    audience=audience)
    return campaign


def rendered(campaign: Campaign) -> Rendered:
    return Rendered("push.campaign", priority_of("push.campaign"), campaign.title, campaign.body,
                    campaign.link)


def preview(campaign: Campaign) -> dict[str, Any]:
    """What each channel will show."""
    r = rendered(campaign)
    return {
        "inbox": {"title": r.title, "body": r.body, "link": r.link},
        "wechat_template": {"first": r.title, "remark": r.body, "url": r.link},
        "wechat_subscribe": {"thing1": r.title[:20], "thing2": r.body[:20]},
        "alipay_subscribe": {"keyword1": r.title[:20], "keyword2": r.body[:20]},
        "app_push": {"title": r.title, "alert": r.body},
    }


async def resolve_audience(audience: dict[str, Any], scope: int | None) -> Resolved:
    """Who ``audience`` reaches now, within ``scope`` (the department of the campaign's
    author, ``None`` for an admin's), by the one department-scope rule."""
    kind = audience.get("kind")
    within = reachable(scope)
    if kind == "persons":
        asked = sorted({int(p) for p in audience.get("person_ids", [])})
        found: set[int] = set()
        for i in range(0, len(asked), 5000):
            chunk = asked[i:i + 5000]
            if scope is None:
                found |= set(cast(list[int], await Person.filter(id__in=chunk)
                                  .values_list("id", flat=True)))
            else:
                found |= set(cast(list[int], await within.filter(person_id__in=chunk)
                                  .distinct().values_list("person_id", flat=True)))
        return Resolved(sorted(found), [p for p in asked if p not in found])
    if kind == "item_state":
        query = within.filter(item_id=int(audience["item_id"]), status=str(audience["status"]))
    elif kind == "department":
        query = within.filter(department_id=int(audience["department_id"]))
        if audience.get("from"):
            query = query.filter(created_at__gte=_aware(audience["from"]))
        if audience.get("to"):
            query = query.filter(created_at__lt=_aware(audience["to"]))
    else:
        raise CampaignError("BAD_AUDIENCE", "不支持的推送对象类型")
    ids = cast(list[int], await query.values_list("person_id", flat=True))  # flat: not tuples
    return Resolved(sorted(set(ids)), [])


def scope_of(campaign: Campaign) -> int | None:
    """A campaign's reach is its author's scope, fixed when it was made."""
    return campaign.audience_scope


def needs_approval(campaign: Campaign, size: int, threshold: int) -> bool:
    return size > threshold and campaign.approved_at is None


async def approve(campaign: Campaign, staff: StaffPrincipal) -> Campaign:
    """An admin's approval of a large campaign (above ``campaign_approval_threshold``)."""
    if Role.admin not in staff.roles:
        raise Forbidden("大范围推送须由管理员批准", code="ADMIN_REQUIRED")
    async with in_transaction() as conn:
        campaign = await _locked(conn, campaign)
        if campaign.state != "draft":
            raise CampaignError("CAMPAIGN_STATE", "该推送已发送或已取消")
        if campaign.approved_at is None:
            campaign.approved_at = clock.now()
            campaign.approved_by = staff.id
            await campaign.save(using_db=conn, update_fields=["approved_at", "approved_by"])
            await audit(staff.id, "push.campaign.approve", campaign, conn=conn)
    return campaign


def _aware(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def _locked(conn: Any, campaign: Campaign) -> Campaign:
    """Re-read the campaign under a row lock: state changes by two staff at once, or by a
    staff member while a dispatcher expands it, go one after the other."""
    return await Campaign.filter(id=campaign.id).select_for_update().using_db(conn).get()


async def send(campaign: Campaign, staff_id: int, *, approval_threshold: int) -> Campaign:
    """Start (or resume) a campaign. One that reaches more than ``approval_threshold`` people
    waits for an admin's approval (``approve``) before it starts."""
    now = clock.now()
    persons: list[int] = []
    if campaign.state == "draft":
        # before the lock: may be slow
        persons = (await resolve_audience(campaign.audience, scope_of(campaign))).persons
        if needs_approval(campaign, len(persons), approval_threshold):
            raise CampaignError("CAMPAIGN_APPROVAL_REQUIRED",
                                f"推送对象超过{approval_threshold}人，须经管理员批准后发送")
    async with in_transaction() as conn:
        campaign = await _locked(conn, campaign)
        if campaign.state == "paused":
            await _resume(conn, campaign, staff_id, now)
        elif campaign.state == "draft":
            await _start(conn, campaign, persons, staff_id, now)
        else:
            raise CampaignError("CAMPAIGN_STATE", "该推送已发送或已取消")
    outbox.wake()
    return campaign


async def _resume(conn: Any, campaign: Campaign, staff_id: int, now: datetime) -> None:
    await Delivery.filter(campaign_id=campaign.id, state=DeliveryState.paused.value
                          ).using_db(conn).update(state=DeliveryState.queued.value,
                                                  next_attempt_at=now)
    campaign.state = ("delivering" if campaign.expanded >= campaign.total else
                      "scheduled" if campaign.scheduled_at and campaign.scheduled_at > now
                      else "sending")
    await campaign.save(using_db=conn, update_fields=["state"])
    await audit(staff_id, "push.campaign.resume", campaign, conn=conn)


async def _start(
    conn: Any, campaign: Campaign, persons: list[int], staff_id: int, now: datetime
) -> None:
    await CampaignRecipient.bulk_create(
        [CampaignRecipient(campaign_id=campaign.id, person_id=p) for p in persons],
        batch_size=5000, ignore_conflicts=True, using_db=conn)
    campaign.total = len(persons)
    campaign.state = "scheduled" if campaign.scheduled_at and campaign.scheduled_at > now \
        else "sending"
    campaign.started_at = now
    await campaign.save(using_db=conn, update_fields=["total", "state", "started_at"])
    await audit(staff_id, "push.campaign.send", campaign, conn=conn, total=len(persons))


async def pause(campaign: Campaign, staff_id: int) -> Campaign:
    async with in_transaction() as conn:
        campaign = await _locked(conn, campaign)
        if campaign.state not in ("scheduled", "sending", "delivering"):
            raise CampaignError("CAMPAIGN_STATE", "该推送当前不能暂停")
        await Delivery.filter(campaign_id=campaign.id, state=DeliveryState.queued.value
                              ).using_db(conn).update(state=DeliveryState.paused.value,
                                                      next_attempt_at=None)
        campaign.state = "paused"
        await campaign.save(using_db=conn, update_fields=["state"])
        await audit(staff_id, "push.campaign.pause", campaign, conn=conn)
    return campaign


async def cancel(campaign: Campaign, staff_id: int) -> Campaign:
    async with in_transaction() as conn:
        campaign = await _locked(conn, campaign)
        if campaign.state not in LIVE_STATES:
            raise CampaignError("CAMPAIGN_STATE", "该推送已结束")
        await Delivery.filter(campaign_id=campaign.id, state__in=[
            DeliveryState.queued.value, DeliveryState.paused.value]).using_db(conn).update(
            state=DeliveryState.cancelled.value, next_attempt_at=None)
        campaign.state = "cancelled"
        campaign.finished_at = clock.now()
        await campaign.save(using_db=conn, update_fields=["state", "finished_at"])
        await audit(staff_id, "push.campaign.cancel", campaign, conn=conn)
    return campaign


async def progress(campaign: Campaign) -> dict[str, Any]:
    rows = await _counts(campaign.id)
    channels: dict[str, dict[str, int]] = {}
    for channel, state, count in rows:
        channels.setdefault(channel, {})[state] = count
    return {"state": campaign.state, "total": campaign.total, "expanded": campaign.expanded,
            "channels": channels}


async def _counts(campaign_id: int) -> list[tuple[str, str, int]]:
    rows = await Delivery.filter(campaign_id=campaign_id).annotate(n=Count("id")).group_by(
        "channel", "state").values_list("channel", "state", "n")
    return [(str(c), str(s), int(n)) for c, s, n in rows]


async def expand_next(*, quiet_hours: str, limit: int = CHUNK) -> tuple[int, list[Live]]:
    """Turn the next chunk of one sending campaign's recipients into notifications."""
    now = clock.now()
    await Campaign.filter(state="scheduled", scheduled_at__lte=now).update(state="sending")
    async with in_transaction() as conn:
        campaign = await Campaign.filter(state="sending").order_by("id").select_for_update(
            skip_locked=True).using_db(conn).first()
        if campaign is None:
            return 0, []
        rows = await CampaignRecipient.filter(campaign_id=campaign.id, id__gt=campaign.cursor
                                              ).order_by("id").limit(limit).using_db(conn
                                              ).values_list("id", "person_id")
        if not rows:
            campaign.state = "delivering"
            await campaign.save(using_db=conn, update_fields=["state"])
            return 0, []
        r = rendered(campaign)
        drafts = [Draft(dedupe_key=f"cmp:{campaign.id}:{pid}", person_id=pid, rendered=r,
                        data={"campaign_id": campaign.id}, campaign_id=campaign.id)
                  for _, pid in rows]
        live = await enqueue(drafts, quiet_hours=quiet_hours, connection=conn, now=now)
        campaign.cursor = rows[-1][0]
        campaign.expanded += len(rows)
        await campaign.save(using_db=conn, update_fields=["cursor", "expanded"])
    return len(rows), live


async def list_for_staff(
    staff: StaffPrincipal, *, limit: int = 20, offset: int = 0
) -> tuple[list[Campaign], int]:
    """Campaigns of the departments the staff member sees, newest first."""
    qs = Campaign.all()
    if (scope := staff.department_scope) is not None:
        qs = qs.filter(department_id=scope)
    return await qs.order_by("-id").offset(offset).limit(limit), await qs.count()
