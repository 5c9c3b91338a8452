"""One 一件事 application: the member items selected by the applicant's answers, one form split
into each member's own (shared fields asked once), one material list (a shared material given
once serves every member that needs it), one submission of every member case in one
transaction, and the application's status derived from its members.

Each member is an ordinary case of its own department with its own clock: the departments
review in parallel (联审联办) through the usual case flow.
"""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from app import clock
from app.cases import citizen_actions
from app.cases.materials import store_upload, supersede_others
from app.cases.numbering import next_number
from app.errors import ApiError, Conflict, NotFound, ValidationFailed
from app.reforms.bundles import Loaded, load, material_keys, member_field
from models.bundles import ApplicationStatus, BundleApplication, BundleMember
from models.cases import Case, CaseStatus, Material

S = CaseStatus


class ApplicationNotFound(NotFound):
    code = "BUNDLE_APPLICATION_NOT_FOUND"
    message = "一件事申请不存在"


def select_members(loaded: Loaded, answers: dict[str, str], selected: list[str]) -> list[str]:
    """The member item codes the application covers, or 422 naming what is wrong."""
    questions = {q["name"]: q for q in loaded.version.selectors or []}
    for name, value in answers.items():
        if name not in questions or value not in questions[name]["options"]:
            raise ValidationFailed("情形选择有误", code="BUNDLE_ANSWER_INVALID",
                                   fields={f"answers.{name}": "取值不在允许范围内"})
    members = {m["item_code"]: m for m in loaded.version.members}
    if unknown := [c for c in selected if c not in members]:
        raise ValidationFailed("所选事项不属于该一件事", code="BUNDLE_MEMBER_UNKNOWN",
                               fields={f"selected.{c}": "不属于该一件事" for c in unknown})

    def applies(m: dict[str, Any]) -> bool:
        when = m.get("when")
        return not when or answers.get(when["field"]) in when["in"]

    chosen = []
    for code, m in members.items():
        if m.get("required", True) and applies(m):
            chosen.append(code)
        elif code in selected:
            if not applies(m):
                raise ValidationFailed(
                    "所选事项不符合办理情形", code="BUNDLE_MEMBER_NOT_APPLICABLE",
                    fields={f"selected.{code}": "不符合办理情形"})
            chosen.append(code)
    for code in chosen:
        clash = [x for x in members[code].get("excludes", []) if x in chosen]
        if clash:
            raise ValidationFailed("所选事项相互冲突，不能一并办理", code="BUNDLE_MEMBERS_CONFLICT",
                                   fields={f"selected.{x}": f"与{code}冲突" for x in clash})
    if not chosen:
        raise ValidationFailed("请至少选择一个事项", code="BUNDLE_EMPTY")
    return chosen


def member_form(loaded: Loaded, code: str, form: dict[str, Any]) -> dict[str, Any]:
    schema = loaded.items[code][1].form_schema or {}
    return {f["name"]: form[key] for f in schema.get("fields", [])
            if (key := member_field(loaded, code, f["name"])) in form}


def _bundle_fields(loaded: Loaded, code: str, exc: ApiError) -> dict[str, Any]:
    """A member's field errors under the names the applicant filled in."""
    out: dict[str, Any] = {}
    for key, message in exc.fields.items():
        if key.startswith("form."):
            out[f"form.{member_field(loaded, code, key[5:])}"] = message
        else:
            out[f"{code}.{key}"] = message
    return out


async def apply(person_id: int, *, bundle_code: str, answers: dict[str, str],
                selected: list[str], form: dict[str, Any], delivery: str | None,
                channel: str) -> BundleApplication:
    """Create the application and every member's draft case, whole or not at all."""
    loaded = await load(bundle_code)
    codes = select_members(loaded, answers, selected)
    known = {member_field(loaded, c, f["name"]) for c in codes
             for f in (loaded.items[c][1].form_schema or {}).get("fields", [])}
    if extra := [k for k in form if k not in known]:
        raise ValidationFailed("表单填写有误", code="FORM_INVALID",
                               fields={f"form.{k}": "不允许的字段" for k in extra})
    plans, errors = [], {}
    for code in codes:
        item, version = loaded.items[code]
        options = version.delivery_options or ["window"]
        try:
            plans.append(await citizen_actions.plan_draft(
                person_id, item_id=item.id, channel=channel,
                delivery=delivery if delivery in options else None,
                form=member_form(loaded, code, form)))
        except ValidationFailed as exc:
            errors.update(_bundle_fields(loaded, code, exc))
    if errors:
        raise ValidationFailed("表单填写有误", code="FORM_INVALID", fields=errors)
    async with in_transaction() as conn:
        application = await BundleApplication.create(
            number="YJS" + await next_number(conn), bundle_id=loaded.bundle.id,
            bundle_version_id=loaded.version.id, bundle_name=loaded.version.name,
            lead_department_id=loaded.bundle.lead_department_id, person_id=person_id,
            selectors=answers, using_db=conn)
        for position, plan in enumerate(plans):
            case = await citizen_actions.insert_draft(plan, conn)
            await BundleMember.create(application_id=application.id, case_id=case.id,
                                      item_code=plan.item.code,
                                      department_id=plan.item.department_id,
                                      position=position, using_db=conn)
    return application


async def mine(application_id: int, person_id: int) -> BundleApplication:
    found = await BundleApplication.get_or_none(id=application_id, person_id=person_id)
    if found is None:
        raise ApplicationNotFound()
    return found


async def member_cases(application: BundleApplication) -> list[tuple[BundleMember, Case]]:
    members = await BundleMember.filter(application_id=application.id).order_by("position")
    cases = {c.id: c for c in await Case.filter(id__in=[m.case_id for m in members])}
    return [(m, cases[m.case_id]) for m in members]


async def _loaded(application: BundleApplication) -> Loaded:
    from models.bundles import Bundle

    bundle = await Bundle.get(id=application.bundle_id)
    return await load(bundle.code, application.bundle_version_id)


async def attach(application: BundleApplication, *, key: str, filename: str,
                 content: bytes) -> list[Material]:
    """One upload for every member case that needs the material ``key``."""
    if application.status != ApplicationStatus.draft:
        raise Conflict("申请已提交，不能再修改材料", code="CASE_NOT_EDITABLE")
    loaded = await _loaded(application)
    pairs = await member_cases(application)
    keys = material_keys(loaded)
    targets = [(case, mat) for m, case in pairs for (code, mat), k in keys.items()
               if k == key and code == m.item_code]
    if not targets:
        raise ValidationFailed("该一件事没有此项材料", code="MATERIAL_UNKNOWN",
                               fields={"key": "未知材料"})
    stored = await store_upload(content, filename, key)
    made = []
    async with in_transaction() as conn:
        for case, mat in targets:
            locked = await Case.select_for_update().using_db(conn).get(id=case.id)
            if locked.status != S.draft:
                raise Conflict("申请已提交，不能再修改材料", code="CASE_NOT_EDITABLE")
            spec = next(s for s in loaded.items[next(
                m.item_code for m, c in pairs if c.id == case.id)][1].materials if s["code"] == mat)
            material = await Material.create(
                case_id=case.id, code=mat, name=spec.get("name", mat), kind="upload",
                filename=stored.filename, content_type=stored.content_type, size=stored.size,
                sha256=stored.sha256, storage_path=stored.storage_path, using_db=conn)
            await supersede_others(material, conn)
            made.append(material)
    return made


async def submit(application: BundleApplication, person_id: int) -> BundleApplication:
    """Submit every member case in one transaction; any member's problem refuses them all,
    with every member's problems in one answer."""
    loaded = await _loaded(application)
    pairs = await member_cases(application)
    errors: dict[str, Any] = {}
    async with in_transaction() as conn:
        won = await BundleApplication.filter(id=application.id, status=ApplicationStatus.draft
                                             ).using_db(conn).update(
            status=ApplicationStatus.submitted, submitted_at=clock.now())
        if not won:
            raise Conflict("申请已提交", code="ILLEGAL_TRANSITION")
        for member, case in pairs:
            try:
                await citizen_actions.submit_in(case, loaded.items[member.item_code][1],
                                                person_id, conn)
            except ValidationFailed as exc:
                errors.update(_bundle_fields(loaded, member.item_code, exc))
        if errors:
            raise ValidationFailed("请完善表单和材料后再提交", code="BUNDLE_INCOMPLETE",
                                   fields=errors)
    await application.refresh_from_db()
    return application


def derived_status(statuses: list[CaseStatus]) -> str:
    """The application's status, read from its members."""
    ended = {S.completed, S.denied, S.refused, S.withdrawn}
    if all(s is S.draft for s in statuses):
        return "draft"
    if any(s is S.supplement_requested for s in statuses):
        return "supplement_requested"
    if any(s is S.fee_due for s in statuses):
        return "fee_due"
    if all(s in ended for s in statuses):
        if all(s is S.completed for s in statuses):
            return "completed"
        return "withdrawn" if all(s is S.withdrawn for s in statuses) else "completed_partly"
    return "in_progress"


def payer(pairs: list[tuple[BundleMember, Case]]) -> Case | None:
    """The member whose payment order carries every member's fees due (the first in order)."""
    return next((c for _, c in pairs if c.status == S.fee_due), None)
