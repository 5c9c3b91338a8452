"""Sign-off chains: 承办 → 审核 → 批准, each step its role (and the handler or a named person),
in order, by different people; approve / deny pass through it; a 退回 or a 补正 starts it
again; nothing decides a chained case without its last step."""

from __future__ import annotations

from typing import Any

import pytest

from app.cases import staff_actions
from app.errors import Conflict
from models.cases import Case
from tests.cases.test_staff_flow import DEFECT, answer_all
from tests.handling.conftest import act, new_case

CHAIN = [{"name": "承办", "role": "clerk", "handler": True},
         {"name": "审核", "role": "reviewer"},
         {"name": "批准", "role": "approver"}]


async def _chained(api: Any, citizen: Any, team: dict[str, Any], steps: Any = None) -> dict:
    made = await new_case(api, citizen, team)
    code = made["item"]["code"]
    r = await api.put(f"/api/v1/staff/items/{code}/signoff-chain", headers=team["admin"].headers,
                      json={"steps": steps or CHAIN})
    assert r.status_code == 200, r.text
    r = await act(api, team["clerk"], f"cases/{made['id']}/accept")
    assert r.status_code == 200, r.text
    return made


async def _handling(api: Any, who: Any, cid: int) -> dict[str, Any]:
    r = await api.get(f"/api/v1/staff/workbench/cases/{cid}", headers=who.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _code(r: Any) -> tuple[int, str]:
    return r.status_code, r.json().get("error", {}).get("code", "")


async def test_the_chain_is_walked_in_order_and_the_last_step_decides(
    api: Any, citizen: Any, team: dict[str, Any]
) -> None:
    made = await _chained(api, citizen, team)
    cid = made["id"]
    clerk, reviewer, approver = team["clerk"], team["reviewer"], team["approver"]
    r = await act(api, reviewer, f"cases/{cid}/approve", {"reason": "符合条件"})
    assert _code(r) == (403, "SIGNOFF_ROLE")  # step 1 is the handler's (a clerk)
    r = await act(api, clerk, f"workbench/cases/{cid}/sign", {"decision": "approve"})
    assert _code(r) == (409, "CASE_UNASSIGNED")
    await act(api, team["clerk2"], f"workbench/cases/{cid}/claim")
    r = await act(api, clerk, f"workbench/cases/{cid}/sign", {"decision": "approve"})
    assert _code(r) == (403, "SIGNOFF_NOT_HANDLER")
    await act(api, reviewer, f"workbench/cases/{cid}/reassign",
              {"staff_id": clerk.id, "reason": "回到原承办人"})
    assert [a["action"] for a in (await _handling(api, clerk, cid))["actions"]].count("sign")

    r = await act(api, clerk, f"workbench/cases/{cid}/sign",
                  {"decision": "approve", "opinion": "材料齐全，符合条件",
                   "legal_basis": "《居民身份证法》第十一条"})
    assert r.status_code == 200, r.text
    chain = r.json()["chain"]
    assert chain["proposal"] == "approve" and chain["next_step"] == 2
    assert chain["steps"][0]["signed"]["staff_id"] == clerk.id
    r = await act(api, approver, f"workbench/cases/{cid}/sign", {"decision": "approve"})
    assert _code(r) == (403, "SIGNOFF_ROLE")  # 批准 comes after 审核: no step is skipped
    r = await act(api, clerk, f"workbench/cases/{cid}/sign", {"decision": "approve"})
    assert _code(r) == (403, "SIGNOFF_ROLE")
    r = await act(api, reviewer, f"cases/{cid}/deny", {"reason": "不同意"})
    assert _code(r) == (409, "SIGNOFF_DISAGREES")
    r = await act(api, reviewer, f"cases/{cid}/approve", {"reason": "同意"})  # passes through
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert (await _handling(api, approver, cid))["chain"]["next_step"] == 3
    r = await act(api, approver, f"workbench/cases/{cid}/sign", {"decision": "approve"})
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["chain"]["next_step"] is None
    assert [s["signed"]["staff_id"] for s in done["chain"]["steps"]] == [
        clerk.id, reviewer.id, approver.id]

    case = (await api.get(f"/api/v1/staff/cases/{cid}", headers=clerk.headers)).json()
    assert case["status"] == "approved" and case["timeline_intact"]
    signs = [e for e in case["timeline"] if e["data"].get("kind") == "signoff"]
    assert [e["label"] for e in signs] == [
        "承办：拟准予许可", "审核：同意准予许可", "批准：同意准予许可"]
    decision = case["timeline"][-1]
    assert decision["to"] == "approved" and decision["reason"] == "材料齐全，符合条件"
    assert decision["data"]["legal_basis"] == "《居民身份证法》第十一条"
    assert decision["data"]["clock"]["late"] is False
    assert decision["data"]["signoff"] == {"round": 1, "steps": 3}
    assert case["decision_reason"] == "材料齐全，符合条件"


async def test_return_starts_again_and_nobody_signs_twice(
    api: Any, citizen: Any, team: dict[str, Any]
) -> None:
    steps = [{"name": "承办", "role": "clerk"}, {"name": "审核", "role": "reviewer"}]
    made = await _chained(api, citizen, team, steps)
    cid, admin = made["id"], team["admin"]
    assert _code(await act(api, admin, f"workbench/cases/{cid}/sign",
                           {"decision": "return", "opinion": "退回"})) == (
        422, "SIGNOFF_DECISION_INVALID")
    r = await act(api, admin, f"workbench/cases/{cid}/sign",
                  {"decision": "deny", "opinion": "不符合条件"})
    assert r.status_code == 200, r.text
    r = await act(api, admin, f"workbench/cases/{cid}/sign",
                  {"decision": "deny", "opinion": "同意"})
    assert _code(r) == (403, "SIGNOFF_SAME_PERSON")  # an admin holds every role, once
    r = await act(api, team["reviewer"], f"workbench/cases/{cid}/sign", {"decision": "return"})
    assert _code(r) == (422, "REASON_REQUIRED")
    r = await act(api, team["reviewer"], f"workbench/cases/{cid}/sign",
                  {"decision": "return", "opinion": "请补充核查意见"})
    assert r.status_code == 200, r.text
    chain = r.json()["chain"]
    assert chain["round"] == 2 and chain["next_step"] == 1 and chain["proposal"] is None
    assert [h["decision"] for h in chain["history"]] == ["deny", "return"]
    await act(api, team["clerk"], f"workbench/cases/{cid}/sign",
              {"decision": "deny", "opinion": "不符合法定条件",
               "legal_basis": "《行政许可法》第三十八条"})
    r = await act(api, team["reviewer"], f"cases/{cid}/deny", {"reason": "同意"})
    assert r.status_code == 200 and r.json()["status"] == "denied"
    assert r.json()["decision_reason"] == "不符合法定条件"


async def test_a_supplement_spends_the_round(api: Any, citizen: Any, team: dict[str, Any]) -> None:
    steps = [{"name": "承办", "role": "clerk"}, {"name": "审核", "role": "reviewer"}]
    made = await _chained(api, citizen, team, steps)
    cid = made["id"]
    await act(api, team["reviewer"], f"cases/{cid}/review")
    await act(api, team["clerk"], f"workbench/cases/{cid}/sign", {"decision": "approve"})
    assert (await _handling(api, team["reviewer"], cid))["chain"]["next_step"] == 2
    r = await act(api, team["reviewer"], f"cases/{cid}/supplement", {"items": [DEFECT]})
    assert r.status_code == 201, r.text
    await answer_all(api, made["me"], cid)
    assert (await _handling(api, team["reviewer"], cid))["chain"]["next_step"] is None
    r = await act(api, team["reviewer"], f"cases/{cid}/review")
    assert r.status_code == 200, r.text
    view = await _handling(api, team["reviewer"], cid)
    assert view["chain"]["next_step"] == 1  # the materials changed: sign again from the start
    r = await act(api, team["reviewer"], f"cases/{cid}/approve", {})
    assert _code(r) == (403, "SIGNOFF_ROLE")


async def test_no_decision_skips_the_chain(api: Any, citizen: Any, team: dict[str, Any]) -> None:
    made = await _chained(api, citizen, team)
    case = await Case.get(id=made["id"])
    with pytest.raises(Conflict) as err:
        await staff_actions.approve(case, staff_actions.staff_actor(1), "跳过")
    assert err.value.code == "SIGNOFF_REQUIRED"
    with pytest.raises(Conflict):
        await staff_actions.deny(case, staff_actions.staff_actor(1), "跳过")


async def test_chain_definitions(api: Any, citizen: Any, team: dict[str, Any]) -> None:
    made = await new_case(api, citizen, team)
    url = f"/api/v1/staff/items/{made['item']['code']}/signoff-chain"
    r = await api.put(url, headers=team["reviewer"].headers, json={"steps": CHAIN})
    assert r.status_code == 403
    r = await api.get(url, headers=team["outsider"].headers)
    assert r.status_code == 404
    bad = [{"name": "承办", "role": "clerk", "staff_id": team["outsider"].id},
           {"name": "批准", "role": "approver"}]
    r = await api.put(url, headers=team["admin"].headers, json={"steps": bad})
    assert _code(r) == (422, "SIGNER_INVALID")
    for steps in ([{"name": "批准", "role": "approver"}],
                  [{"name": "a", "role": "operator"}, {"name": "b", "role": "approver"}],
                  [{"name": "a", "role": "clerk"}, {"name": "a", "role": "approver"}]):
        r = await api.put(url, headers=team["admin"].headers, json={"steps": steps})
        assert r.status_code == 422, steps
    named = [{"name": "承办", "role": "clerk"},
             {"name": "批准", "role": "approver", "staff_id": team["approver"].id}]
    r = await api.put(url, headers=team["admin"].headers, json={"steps": named})
    assert r.status_code == 200, r.text
    r = await api.get(url, headers=team["clerk"].headers)
    assert [s["staff_id"] for s in r.json()["steps"]] == [None, team["approver"].id]
    r = await api.put(url, headers=team["admin"].headers, json={"steps": []})
    assert r.status_code == 200 and r.json()["steps"] == []
