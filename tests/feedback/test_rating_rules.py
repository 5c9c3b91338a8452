"""Rating a case: once, after 办结, one's own only, with the standard's levels and tags; one
change within the window; bad input answers 4xx and writes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app import clock
from models.ratings import Rating, RatingRevision, Rectification
from tests.cases.conftest import filed_case
from tests.feedback.support import RATE_BAD, RATE_GOOD, completed_case, department


async def test_content_lists_five_levels_and_their_tags(api: Any) -> None:
    r = await api.get("/api/v1/ratings/content")
    assert r.status_code == 200
    doc = r.json()
    assert doc["version"] == "2020.1" and doc["first_indicator"] == "整体满意度"
    assert [lv["name"] for lv in doc["levels"]] == ["非常满意", "满意", "基本满意", "不满意",
                                                    "非常不满意"]
    indicators = {t["indicator"] for t in doc["levels"][0]["tags"]}
    assert indicators == {"办事效率", "办事指南精确度", "办事便捷度", "平台操作性"}
    hall = (await api.get("/api/v1/ratings/content", params={"channel": "hall"})).json()
    assert {t["indicator"] for t in hall["levels"][4]["tags"]} == {"服务效率", "服务水平",
                                                                   "服务态度"}


async def test_rate_once_after_completion(api: Any, citizen: Any, staff: Any) -> None:
    dept, me = await department(staff), await citizen()
    case = await completed_case(api, me.headers, dept)
    url = f"/api/v1/cases/{case['id']}/rating"
    r = await api.post(url, json=RATE_GOOD, headers=me.headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["level"], body["level_name"], body["bad"]) == (5, "非常满意", False)
    assert body["can_change"] and not body["can_rerate"] and body["rectification"] is None
    again = await api.post(url, json=RATE_BAD, headers=me.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "ALREADY_RATED"
    assert (await api.get(url, headers=me.headers)).json()["level"] == 5
    assert await Rating.filter(case_id=case["id"]).count() == 1
    assert not await Rectification.filter(rating__case_id=case["id"]).exists()


async def test_bad_input_writes_nothing(api: Any, citizen: Any, staff: Any) -> None:
    dept, me, other = await department(staff), await citizen(), await citizen()
    done = await completed_case(api, me.headers, dept)
    running = await filed_case(api, me.headers, dept.item)
    withdrawn = await filed_case(api, me.headers, dept.item)
    r = await api.post(f"/api/v1/cases/{withdrawn['id']}/withdraw", json={"reason": "不办了"},
                       headers=me.headers)
    assert r.status_code == 200
    cases = [(done, other.headers, 404, "CASE_NOT_FOUND"),  # someone else's
             (running, me.headers, 409, "CASE_NOT_RATEABLE"),  # before 办结
             (withdrawn, me.headers, 409, "CASE_WITHDRAWN")]
    for case, headers, status, code in cases:
        r = await api.post(f"/api/v1/cases/{case['id']}/rating", json=RATE_GOOD, headers=headers)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code)
    url = f"/api/v1/cases/{done['id']}/rating"
    for body, code in (({"level": 5, "tags": ["办理时间长"]}, "RATING_TAG_INVALID"),
                       ({"level": 1}, "RATING_REASON_REQUIRED"),
                       ({"level": 6}, "VALIDATION_FAILED"),
                       ({"level": 4, "comment": "x" * 501}, "VALIDATION_FAILED")):
        r = await api.post(url, json=body, headers=me.headers)
        assert r.status_code == 422 and r.json()["error"]["code"] == code, r.text
    assert (await api.post("/api/v1/cases/2147483648/rating", json=RATE_GOOD,
                           headers=me.headers)).status_code == 404
    assert not await Rating.filter(case_id__in=[done["id"], running["id"],
                                                withdrawn["id"]]).exists()


async def test_one_change_within_the_window(api: Any, citizen: Any, staff: Any) -> None:
    dept, me = await department(staff), await citizen()
    case = await completed_case(api, me.headers, dept)
    url = f"/api/v1/cases/{case['id']}/rating"
    assert (await api.put(url, json=RATE_GOOD, headers=me.headers)).status_code == 404
    assert (await api.post(url, json=RATE_BAD, headers=me.headers)).status_code == 201
    assert await Rectification.filter(rating__case_id=case["id"]).exists()
    r = await api.put(url, json=RATE_GOOD, headers=me.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["level"] == 5 and body["revision"] == 1 and not body["can_change"]
    assert body["rectification"]["state"] == "closed"
    assert body["rectification"]["outcome"] == "withdrawn"  # changed to good before the reply
    again = await api.put(url, json=RATE_BAD, headers=me.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "RATING_LOCKED"
    kinds = await RatingRevision.filter(rating__case_id=case["id"]).order_by("seq").values_list(
        "kind", flat=True)
    assert [str(k) for k in kinds] == ["initial", "changed"]


async def test_no_change_after_the_window(api: Any, citizen: Any, staff: Any) -> None:
    dept, me = await department(staff), await citizen()
    case = await completed_case(api, me.headers, dept)
    url = f"/api/v1/cases/{case['id']}/rating"
    assert (await api.post(url, json=RATE_GOOD, headers=me.headers)).status_code == 201
    await Rating.filter(case_id=case["id"]).update(change_until=clock.now() - timedelta(seconds=1))
    r = await api.put(url, json={"level": 4}, headers=me.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "RATING_LOCKED"
    assert (await api.get(url, headers=me.headers)).json()["level"] == 5


async def test_my_ratings_in_the_user_centre(api: Any, citizen: Any, staff: Any) -> None:
    dept, me, other = await department(staff), await citizen(), await citizen()
    first = await completed_case(api, me.headers, dept)
    second = await completed_case(api, me.headers, dept)
    for case, body in ((first, RATE_GOOD), (second, RATE_BAD)):
        r = await api.post(f"/api/v1/cases/{case['id']}/rating", json=body, headers=me.headers)
        assert r.status_code == 201
    mine = (await api.get("/api/v1/me/ratings", headers=me.headers)).json()
    assert mine["total"] == 2
    assert [i["subject"]["id"] for i in mine["items"]] == [second["id"], first["id"]]
    assert mine["items"][0]["rectification"]["state"] == "open"
    assert mine["items"][0]["comment"] == RATE_BAD["comment"]
    assert (await api.get("/api/v1/me/ratings", headers=other.headers)).json()["total"] == 0
