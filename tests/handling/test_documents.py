"""Decision documents: 受理通知书 at 受理, 补正告知书 from the structured 一次性告知, 不予受理 /
准予 / 不予许可决定书 with their reasons and legal basis, as PDF, issued once, visible to the
applicant and to the department (anyone else 404, a missing role 403)."""

from __future__ import annotations

from typing import Any

from models.handling import DecisionDocument
from tests.cases.test_staff_flow import DEFECT, answer_all
from tests.handling.conftest import act, new_case


async def _docs(api: Any, who: Any, cid: int, staff: bool = True) -> list[dict[str, Any]]:
    prefix = "/api/v1/staff/cases" if staff else "/api/v1/cases"
    r = await api.get(f"{prefix}/{cid}/documents", headers=who.headers)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def _content(doc_id: int) -> dict[str, Any]:
    return (await DecisionDocument.get(id=doc_id)).content


async def test_acceptance_supplement_and_approval(
    api: Any, citizen: Any, team: dict[str, Any]
) -> None:
    made = await new_case(api, citizen, team, legal_basis="《居民身份证法》第十一条")
    cid, me = made["id"], made["me"]
    await act(api, team["clerk"], f"cases/{cid}/supplement", {"items": [DEFECT]})
    await answer_all(api, me, cid)
    await act(api, team["clerk"], f"cases/{cid}/accept")
    r = await act(api, team["reviewer"], f"cases/{cid}/approve",
                  {"reason": "材料齐全，符合条件", "legal_basis": "《居民身份证法》第十一条"})
    assert r.status_code == 200, r.text
    docs = await _docs(api, team["clerk"], cid)
    assert [d["kind"] for d in docs] == ["supplement", "acceptance", "approval"]
    assert [d["title"] for d in docs] == ["补正告知书", "受理通知书", "准予行政许可决定书"]
    assert docs[1]["number"].startswith(team["clerk"].department_code + "受字〔")
    assert docs[1]["number"].endswith(f"〕{made['case']['number']}号")
    supplement = await _content(docs[0]["id"])
    row = ["近期免冠照片", "问题：照片模糊；须提供：提交清晰照片；依据：《行政许可法》第三十二条"]
    assert row in [list(r) for r in supplement["rows"]]
    assert "一次性告知" in supplement["paragraphs"][1]
    approval = await _content(docs[2]["id"])
    assert "材料齐全，符合条件" in approval["paragraphs"][1]
    assert "《居民身份证法》第十一条" in approval["paragraphs"][1]

    r = await api.get(f"/api/v1/staff/cases/{cid}/documents/{docs[2]['id']}/pdf",
                      headers=team["clerk"].headers)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-") and len(r.content) == docs[2]["size"]
    assert r.headers["content-disposition"].startswith("inline")

    mine = await _docs(api, me, cid, staff=False)
    assert [d["id"] for d in mine] == [d["id"] for d in docs]  # issued once, the same
    r = await api.get(f"/api/v1/cases/{cid}/documents/{docs[1]['id']}/pdf", headers=me.headers)
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")


async def test_refusal_and_denial_say_why_and_how_to_appeal(
    api: Any, citizen: Any, team: dict[str, Any]
) -> None:
    refused = (await new_case(api, citizen, team))["id"]
    await act(api, team["clerk"], f"cases/{refused}/refuse",
              {"reason": "申请事项不属于本机关职权范围"})
    [doc] = await _docs(api, team["clerk"], refused)
    assert doc["title"] == "不予受理决定书"
    text = "".join((await _content(doc["id"]))["paragraphs"])
    assert "申请事项不属于本机关职权范围" in text and "行政复议" in text
    assert "《中华人民共和国行政许可法》第三十二条第一款" in text

    denied = (await new_case(api, citizen, team))["id"]
    await act(api, team["clerk"], f"cases/{denied}/accept")
    await act(api, team["reviewer"], f"cases/{denied}/deny", {"reason": "申请人不具备法定条件"})
    docs = await _docs(api, team["reviewer"], denied)
    assert [d["kind"] for d in docs] == ["acceptance", "denial"]
    text = "".join((await _content(docs[1]["id"]))["paragraphs"])
    assert "申请人不具备法定条件" in text and "第三十八条第二款" in text and "行政诉讼" in text


async def test_documents_stay_with_their_case(
    api: Any, citizen: Any, team: dict[str, Any]
) -> None:
    made = await new_case(api, citizen, team)
    cid = made["id"]
    await act(api, team["clerk"], f"cases/{cid}/accept")
    [doc] = await _docs(api, team["clerk"], cid)
    stranger = await citizen()
    for who, prefix in ((stranger, "/api/v1/cases"), (team["outsider"], "/api/v1/staff/cases")):
        r = await api.get(f"{prefix}/{cid}/documents", headers=who.headers)
        assert r.status_code == 404
        r = await api.get(f"{prefix}/{cid}/documents/{doc['id']}/pdf", headers=who.headers)
        assert r.status_code == 404
    r = await api.get(f"/api/v1/staff/cases/{cid}/documents", headers=team["operator"].headers)
    assert r.status_code == 403
    other = (await new_case(api, citizen, team))["id"]
    r = await api.get(f"/api/v1/staff/cases/{other}/documents/{doc['id']}/pdf",
                      headers=team["clerk"].headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "DOCUMENT_NOT_FOUND"
    assert await DecisionDocument.filter(case_id=cid).count() == 1
