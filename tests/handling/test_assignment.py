"""承办人: claim, assign, reassign with a reason; the queue's "mine", unassigned and counts;
another department sees none of it (404) and a missing role is refused (403)."""

from __future__ import annotations

from typing import Any

from tests.handling.conftest import act, new_case


async def test_claim_then_reassign_with_reason(
    api: Any, citizen: Any, team: dict[str, Any]
) -> None:
    made = await new_case(api, citizen, team)
    cid = made["id"]
    r = await api.get(f"/api/v1/staff/workbench/cases/{cid}", headers=team["clerk"].headers)
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["handler"] is None and view["chain"] is None
    assert [a["action"] for a in view["actions"]][:1] == ["claim"]

    r = await act(api, team["clerk"], f"workbench/cases/{cid}/claim")
    assert r.status_code == 200, r.text
    assert r.json()["handler"]["staff_id"] == team["clerk"].id
    assert "claim" not in [a["action"] for a in r.json()["actions"]]
    again = await act(api, team["clerk"], f"workbench/cases/{cid}/claim")
    assert again.status_code == 200  # my own case again: nothing changes
    r = await act(api, team["clerk2"], f"workbench/cases/{cid}/claim")
    assert r.status_code == 409 and r.json()["error"]["code"] == "CASE_ALREADY_ASSIGNED"
    r = await act(api, team["reviewer"], f"workbench/cases/{cid}/assign",
                  {"staff_id": team["clerk2"].id})
    assert r.status_code == 409 and r.json()["error"]["code"] == "CASE_ALREADY_ASSIGNED"

    r = await act(api, team["reviewer"], f"workbench/cases/{cid}/reassign",
                  {"staff_id": team["clerk2"].id, "reason": "x"})
    assert r.status_code == 422
    r = await act(api, team["clerk"], f"workbench/cases/{cid}/reassign",
                  {"staff_id": team["clerk2"].id, "reason": "工作调整"})
    assert r.status_code == 403  # a clerk does not reassign
    r = await act(api, team["reviewer"], f"workbench/cases/{cid}/reassign",
                  {"staff_id": team["clerk2"].id, "reason": "工作调整"})
    assert r.status_code == 200, r.text
    assert r.json()["handler"]["staff_id"] == team["clerk2"].id

    staff_view = (await api.get(f"/api/v1/staff/cases/{cid}", headers=team["clerk"].headers)).json()
    steps = [e for e in staff_view["timeline"] if e["data"].get("kind") == "handler"]
    assert [e["label"] for e in steps] == ["领办", "改派承办人"]
    assert steps[-1]["reason"] == "工作调整" and staff_view["timeline_intact"]
    own = (await api.get(f"/api/v1/cases/{cid}", headers=made["me"].headers)).json()
    assert own["timeline_intact"] and not [e for e in own["timeline"] if e["from"] == e["to"]]


async def test_assign_names_only_colleagues(api: Any, citizen: Any, team: dict[str, Any]) -> None:
    cid = (await new_case(api, citizen, team))["id"]
    r = await act(api, team["reviewer"], f"workbench/cases/{cid}/assign",
                  {"staff_id": team["outsider"].id})
    assert r.status_code == 404 and r.json()["error"]["code"] == "STAFF_NOT_FOUND"
    r = await act(api, team["reviewer"], f"workbench/cases/{cid}/assign",
                  {"staff_id": team["operator"].id})
    assert r.status_code == 422 and r.json()["error"]["code"] == "STAFF_CANNOT_HANDLE"
    r = await act(api, team["reviewer"], f"workbench/cases/{cid}/reassign",
                  {"staff_id": team["clerk"].id, "reason": "工作调整"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "CASE_UNASSIGNED"
    r = await act(api, team["reviewer"], f"workbench/cases/{cid}/assign",
                  {"staff_id": team["clerk"].id})
    assert r.status_code == 200 and r.json()["handler"]["staff_id"] == team["clerk"].id
    r = await api.get("/api/v1/staff/workbench/colleagues", headers=team["reviewer"].headers)
    ids = {c["id"] for c in r.json()["items"]}
    assert team["clerk"].id in ids and team["outsider"].id not in ids


async def test_other_department_and_missing_roles(
    api: Any, citizen: Any, team: dict[str, Any]
) -> None:
    cid = (await new_case(api, citizen, team))["id"]
    for path, body in ((f"workbench/cases/{cid}/claim", {}),
                       (f"workbench/cases/{cid}/assign", {"staff_id": team["clerk"].id}),
                       (f"workbench/cases/{cid}/reassign",
                        {"staff_id": team["clerk"].id, "reason": "工作调整"}),
                       (f"workbench/cases/{cid}/sign", {"decision": "approve"})):
        r = await act(api, team["outsider"], path, body)
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"]["code"] == "CASE_NOT_FOUND"
    r = await api.get(f"/api/v1/staff/workbench/cases/{cid}", headers=team["outsider"].headers)
    assert r.status_code == 404
    # an admin sees every department, but handles only their own
    r = await act(api, team["outsider_admin"], f"workbench/cases/{cid}/claim")
    assert r.status_code == 403 and r.json()["error"]["code"] == "NOT_CASE_DEPARTMENT"
    for path in (f"workbench/cases/{cid}/claim", f"workbench/cases/{cid}/sign"):
        r = await act(api, team["operator"], path, {"decision": "approve"})
        assert r.status_code == 403, path
    for path in ("workbench/queue", "workbench/counts", f"workbench/cases/{cid}"):
        r = await api.get(f"/api/v1/staff/{path}", headers=team["operator"].headers)
        assert r.status_code == 403, path


async def test_queue_mine_unassigned_and_counts(
    api: Any, citizen: Any, team: dict[str, Any]
) -> None:
    first = (await new_case(api, citizen, team))["id"]
    second = (await new_case(api, citizen, team))["id"]
    await act(api, team["clerk2"], f"workbench/cases/{first}/claim")

    async def ids(who: Any, **params: Any) -> list[int]:
        r = await api.get("/api/v1/staff/workbench/queue", headers=who.headers,
                          params={"limit": 100, **params})
        assert r.status_code == 200, r.text
        return [c["id"] for c in r.json()["items"]]

    assert first in await ids(team["clerk2"], mine="true")
    assert second not in await ids(team["clerk2"], mine="true")
    unassigned = await ids(team["clerk"], unassigned="true")
    assert second in unassigned and first not in unassigned
    assert first in await ids(team["clerk"], status="submitted")
    assert first not in await ids(team["outsider"])
    # admins see every department: the whole queue, page by page (other tests' cases share it)
    seen: list[int] = []
    while True:
        page_ids = await ids(team["outsider_admin"], offset=len(seen))
        seen += page_ids
        if first in page_ids or len(page_ids) < 100:
            break
    assert first in seen
    page = (await api.get("/api/v1/staff/workbench/queue", headers=team["clerk"].headers,
                          params={"limit": 1})).json()
    assert len(page["items"]) == 1 and page["total"] >= 2
    item = next(i for i in (await api.get(
        "/api/v1/staff/workbench/queue", headers=team["clerk"].headers,
        params={"limit": 100})).json()["items"] if i["id"] == first)
    assert item["handler"]["staff_id"] == team["clerk2"].id
    counts = (await api.get("/api/v1/staff/workbench/counts",
                            headers=team["clerk2"].headers)).json()
    assert counts["mine"] >= 1 and counts["unassigned"] >= 1
    assert counts["by_status"]["submitted"] >= 2 and counts["total"] >= 2
    r = await api.get("/api/v1/staff/workbench/queue", headers=team["clerk"].headers,
                      params={"status": "nonsense"})
    assert r.status_code == 422
