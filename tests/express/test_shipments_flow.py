"""Results by courier end to end: staff ship, kuaidi100 pushes (signed, over HTTP), the case
moves; forged and repeated pushes change nothing; polling catches lost pushes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.shipments.polling import poll_once
from models.cases import Case, CaseStatus
from models.express import CallbackLog, Shipment, ShipmentEvent, TrackingEvent
from tests.express.express_support import RECEIVER, outbox, result_case, sim_call, unique


@pytest.fixture(scope="module")
async def people(citizen: Any, staff: Any) -> tuple[Any, Any]:
    """One applicant and one clerk of a fresh department for this module (logins are slow)."""
    return await citizen(), await staff(roles=["clerk"], department=unique("X"))


async def ship(api: Any, people: Any, **extra: Any) -> tuple[Any, Any, Case, dict]:
    c, s = people
    case = await result_case(c.person_id, s.department_id)
    resp = await api.put(
        f"/api/v1/shipments/cases/{case.id}/delivery",
        json={"method": "express", "receiver": RECEIVER},
        headers=c.headers,
    )
    assert resp.status_code == 200, resp.text
    resp = await api.post(
        "/api/v1/staff/shipments", json={"case_id": case.id, **extra}, headers=s.headers
    )
    assert resp.status_code == 201, resp.text
    return c, s, case, resp.json()


async def push(sims: Any, waybill: str, **body: Any) -> dict[str, Any]:
    return await sim_call(
        sims["kuaidi100"].base_url, "/_sim/push", {"company": "ems", "number": waybill, **body}
    )


async def test_result_shipped_collected_delivered_signed(api, sims, people) -> None:
    c, _, case, shipment = await ship(api, people)
    waybill = shipment["waybill_no"]
    assert shipment["carrier"] == "ems" and shipment["state"] == "created"
    assert shipment["subscription"] == "active"
    assert shipment["receiver_phone"] == "138****8000"
    assert (await Case.get(id=case.id)).status == CaseStatus.delivering
    sub = sims["kuaidi100"].app["state"]["subscriptions"][("ems", waybill)]
    assert sub["phone"] == RECEIVER["phone"] and sub["callbackurl"].endswith(
        "/callbacks/express/kuaidi100"
    )

    for state in ("1", "0", "5", "3"):
        out = await push(sims, waybill, state=state)
        assert out["pushes"][0]["acked"] is True, out

    row = await Shipment.get(id=shipment["id"])
    assert row.state == "signed" and row.subscription == "ended"
    done = await Case.get(id=case.id)
    assert done.status == CaseStatus.completed and done.completed_at is not None
    assert len(await outbox("shipment.progress", row.id)) == 2  # 揽收 and 派件
    log = [e.to_state for e in await ShipmentEvent.filter(shipment_id=row.id).order_by("id")]
    assert log == ["created", "collected", "in_transit", "out_for_delivery", "signed"]

    resp = await api.get("/api/v1/shipments", headers=c.headers)
    mine = resp.json()["items"][0]
    assert mine["id"] == row.id and mine["state_label"] == "已签收"
    assert [t["state"] for t in mine["timeline"]] == [
        "signed",
        "out_for_delivery",
        "in_transit",
        "collected",
    ]
    assert "13800138000" not in resp.text and "中关村大街1号院3号楼" not in resp.text


async def test_forged_push_changes_nothing(api, sims, people) -> None:
    _, _, case, shipment = await ship(api, people)
    out = await push(sims, shipment["waybill_no"], state="3", fault="bad_sign")
    assert out["pushes"][0]["acked"] is False
    assert await TrackingEvent.filter(shipment_id=shipment["id"]).count() == 0
    assert (await Shipment.get(id=shipment["id"])).state == "created"
    assert (await Case.get(id=case.id)).status == CaseStatus.delivering
    from app.security import pii

    rejected = [r for r in await CallbackLog.filter(verified=False)
                if shipment["waybill_no"] in pii.decrypt(r.body)]  # sealed at rest
    assert rejected and all(r.outcome == "rejected" for r in rejected)  # and its retries
    assert shipment["waybill_no"] not in rejected[0].body


async def test_duplicate_and_stale_pushes_add_nothing(api, sims, people) -> None:
    _, _, _, shipment = await ship(api, people)
    waybill = shipment["waybill_no"]
    out = await push(sims, waybill, state="1", fault="duplicate")
    assert [p["acked"] for p in out["pushes"]] == [True, True]
    assert await TrackingEvent.filter(shipment_id=shipment["id"]).count() == 1
    assert len(await outbox("shipment.progress", shipment["id"])) == 1
    # the newest snapshot, then a stale one: the state follows the newest trace line
    out = await push(sims, waybill, state="5", fault="out_of_order")
    assert len(out["pushes"]) == 2
    row = await Shipment.get(id=shipment["id"])
    assert row.state == "out_for_delivery"
    assert await TrackingEvent.filter(shipment_id=row.id).count() == 2


async def test_return_to_sender_alerts_staff_and_offers_choice(api, sims, people) -> None:
    c, s, case, shipment = await ship(api, people)
    waybill = shipment["waybill_no"]
    await push(sims, waybill, state="1")
    await push(sims, waybill, state="6")
    row = await Shipment.get(id=shipment["id"])
    assert row.state == "returning"
    alert = await outbox("shipment.exception", row.id)
    assert len(alert) == 1 and alert[0].priority == "critical"
    assert alert[0].payload["department_id"] == s.department_id
    offer = await outbox("shipment.redelivery_offered", row.id)
    assert offer[0].person_id == c.person_id

    # the outbox consumer turns them into the clerk's alert and the citizen's message
    from push.expand import expand_outbox

    while (await expand_outbox(200, quiet_hours="", worker="test"))[0]:
        pass
    alerts = (await api.get("/api/v1/staff/alerts", headers=s.headers)).json()["items"]
    assert any(a["kind"] == "shipment.exception" and a["case_id"] == case.id for a in alerts)
    inbox = (await api.get("/api/v1/messages", headers=c.headers)).json()["items"]
    assert any(m["title"] == "邮件未能送达" and "重新投递" in m["body"] for m in inbox)

    listing = (await api.get("/api/v1/staff/shipments", headers=s.headers)).json()["items"]
    flags = [item["exception"] for item in listing]
    assert flags == sorted(flags, reverse=True)  # exceptions first
    assert next(i for i in listing if i["id"] == row.id)["exception"] is True

    resp = await api.post(
        f"/api/v1/shipments/{row.id}/choice", json={"choice": "hall_pickup"}, headers=c.headers
    )
    assert resp.status_code == 200 and resp.json()["citizen_choice"] == "hall_pickup"
    resp = await api.post(f"/api/v1/staff/shipments/{row.id}/hall-pickup", headers=s.headers)
    assert resp.status_code == 200 and resp.json()["state"] == "hall_pickup"
    assert (await Case.get(id=case.id)).status == CaseStatus.completed


async def test_refused_then_redelivered(api, sims, people) -> None:
    c, s, case, shipment = await ship(api, people)
    await push(sims, shipment["waybill_no"], state="14")
    resp = await api.post(
        f"/api/v1/shipments/{shipment['id']}/choice",
        json={"choice": "redeliver", "receiver": {**RECEIVER, "address": "北京市西城区金融街8号"}},
        headers=c.headers,
    )
    assert resp.status_code == 200
    resp = await api.post(f"/api/v1/staff/shipments/{shipment['id']}/redeliver", headers=s.headers)
    assert resp.status_code == 201, resp.text
    new = resp.json()
    assert new["waybill_no"] != shipment["waybill_no"] and new["subscription"] == "active"
    assert (await Shipment.get(id=shipment["id"])).state == "cancelled"
    await push(sims, new["waybill_no"], state="3")
    assert (await Case.get(id=case.id)).status == CaseStatus.completed


async def test_polling_catches_lost_pushes(api, sims, people, server) -> None:
    _, _, case, shipment = await ship(api, people)
    waybill = shipment["waybill_no"]
    for state in ("1", "5", "3"):
        out = await push(sims, waybill, state=state, fault="drop")
        assert out["pushes"] == []
    assert await TrackingEvent.filter(shipment_id=shipment["id"]).count() == 0
    app = server.app
    tracker = app.ctx.edges.tracker("kuaidi100")
    await poll_once(tracker, app.ctx.settings, stale_after=timedelta(0))
    row = await Shipment.get(id=shipment["id"])
    assert row.state == "signed"
    assert await TrackingEvent.filter(shipment_id=row.id, source="query").count() == 3
    assert (await Case.get(id=case.id)).status == CaseStatus.completed


async def test_abort_resubscribes(api, sims, people, server) -> None:
    _, _, _, shipment = await ship(api, people)
    waybill = shipment["waybill_no"]
    await push(sims, waybill, fault="abort")
    await push(sims, waybill, fault="abort")  # a repeated abort raises nothing new
    row = await Shipment.get(id=shipment["id"])
    assert row.subscription == "aborted"
    assert len(await outbox("shipment.tracking_aborted", row.id)) == 1
    app = server.app
    tracker = app.ctx.edges.tracker("kuaidi100")
    await poll_once(tracker, app.ctx.settings, stale_after=timedelta(days=1))
    assert (await Shipment.get(id=row.id)).subscription == "aborted"  # not 30 minutes yet
    settings = app.ctx.settings.model_copy(update={"express_resubscribe_minutes": 0})
    await poll_once(tracker, settings, stale_after=timedelta(days=1))
    assert (await Shipment.get(id=row.id)).subscription == "active"
    assert sims["kuaidi100"].app["state"]["subscriptions"][("ems", waybill)]["count"] == 2


async def test_staff_enters_existing_waybill(api, sims, people) -> None:
    waybill = unique("99")
    _, s, case, shipment = await ship(api, people, mode="manual", carrier="ems", waybill_no=waybill)
    assert shipment["waybill_no"] == waybill and shipment["state"] == "created"
    resp = await api.post(
        "/api/v1/staff/shipments",
        json={
            "case_id": case.id,
            "mode": "manual",
            "carrier": "ems",
            "waybill_no": waybill,
        },
        headers=s.headers,
    )
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "WAYBILL_EXISTS"


async def test_cannot_ship_before_result_issued(api, people) -> None:
    c, s = people
    case = await result_case(c.person_id, s.department_id, status=CaseStatus.under_review)
    resp = await api.post(
        "/api/v1/staff/shipments",
        json={
            "case_id": case.id,
            "mode": "manual",
            "carrier": "ems",
            "waybill_no": "1100000000999",
            "receiver": RECEIVER,
        },
        headers=s.headers,
    )
    assert resp.status_code == 409
    assert await Shipment.filter(case_id=case.id).count() == 0


async def test_unknown_provider_and_garbage_are_refused(api) -> None:
    resp = await api.post("/callbacks/express/nobody", data={"param": "{}", "sign": "x"})
    assert resp.status_code == 404
    resp = await api.post(
        "/callbacks/express/kuaidi100",
        content=b"\xff\xfe garbage",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert resp.status_code == 200 and resp.json()["result"] is False


async def test_material_pickup_goes_to_the_hall(api, sims, people) -> None:
    c, s = people
    case = await result_case(c.person_id, s.department_id, status=CaseStatus.under_review)
    resp = await api.put(
        f"/api/v1/shipments/cases/{case.id}/delivery",
        json={"method": "window", "receiver": RECEIVER, "pickup_materials": True},
        headers=c.headers,
    )
    assert resp.status_code == 200, resp.text
    resp = await api.post(
        "/api/v1/staff/shipments",
        json={"case_id": case.id, "direction": "material_pickup"},
        headers=s.headers,
    )
    assert resp.status_code == 201, resp.text
    shipment = resp.json()
    orders = sims["carrier"].app["state"]["orders"]
    order = next(o for o in orders.values() if o["waybill_no"] == shipment["waybill_no"])
    assert order["data"]["isDocall"] == 1
    assert order["data"]["contactInfoList"][0]["contact"] == RECEIVER["name"]  # sender: citizen
    await push(sims, shipment["waybill_no"], state="1")
    await push(sims, shipment["waybill_no"], state="3")
    assert len(await outbox("shipment.materials_received", shipment["id"])) == 1
    assert await outbox("shipment.progress", shipment["id"]) == []
    assert (await Case.get(id=case.id)).status == CaseStatus.under_review


async def test_bad_input_is_a_422_and_writes_nothing(api, people) -> None:
    c, s = people
    case = await result_case(c.person_id, s.department_id)
    resp = await api.put(
        f"/api/v1/shipments/cases/{case.id}/delivery",
        json={"method": "express", "receiver": {**RECEIVER, "phone": "12"}},
        headers=c.headers,
    )
    assert resp.status_code == 422 and "receiver.phone" in resp.json()["error"]["fields"]
    resp = await api.post(
        "/api/v1/staff/shipments",
        json={"case_id": case.id, "mode": "manual", "receiver": RECEIVER},
        headers=s.headers,
    )
    assert resp.status_code == 422
    resp = await api.post(
        "/api/v1/staff/shipments", json={"case_id": case.id}, headers=s.headers
    )  # no address chosen by the citizen, none given by staff
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "NO_DELIVERY_ADDRESS"
    assert await Shipment.filter(case_id=case.id).count() == 0
    assert (await Case.get(id=case.id)).status == CaseStatus.result_issued
    window_only = await result_case(c.person_id, s.department_id, delivery_options=("window",))
    resp = await api.put(
        f"/api/v1/shipments/cases/{window_only.id}/delivery",
        json={"method": "express", "receiver": RECEIVER},
        headers=c.headers,
    )
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "EXPRESS_NOT_OFFERED"
    resp = await api.get("/api/v1/staff/shipments", headers=c.headers)
    assert resp.status_code == 401


async def test_poll_round_runs_in_one_worker_only(server) -> None:
    from app.shipments.polling import LEASE, poll_round

    await server.app.ctx.kv.delete(LEASE)
    assert await poll_round(server.app, "worker-a") is True
    assert await poll_round(server.app, "worker-b") is False
    await server.app.ctx.kv.delete(LEASE)


async def test_staff_list_filters_by_state(api, sims, people) -> None:
    _, s, _, shipment = await ship(api, people)
    await push(sims, shipment["waybill_no"], state="2")  # 疑难
    resp = await api.get("/api/v1/staff/shipments", params={"state": "trouble"}, headers=s.headers)
    items = resp.json()["items"]
    assert shipment["id"] in [i["id"] for i in items] and {i["state"] for i in items} == {"trouble"}
    resp = await api.get("/api/v1/staff/shipments", params={"state": "lost"}, headers=s.headers)
    assert resp.status_code == 422


async def test_same_push_ten_times_at_once_counts_once(api, people) -> None:
    import asyncio
    import json

    from channels.express.kuaidi100_proto import callback_sign
    from sandbox.kuaidi100 import SIM_SALT

    _, _, _, shipment = await ship(api, people)
    param = json.dumps(
        {
            "status": "polling",
            "message": "",
            "lastResult": {
                "state": "1",
                "com": "ems",
                "nu": shipment["waybill_no"],
                "data": [
                    {
                        "context": "已收寄",
                        "time": "2026-11-21 09:00:00",
                        "status": "揽收",
                        "statusCode": "1",
                    }
                ],
            },
        },
        ensure_ascii=False,
    )
    form = {"param": param, "sign": callback_sign(param, SIM_SALT)}
    answers = await asyncio.gather(
        *(api.post("/callbacks/express/kuaidi100", data=form) for _ in range(10))
    )
    assert all(a.status_code == 200 for a in answers)
    assert all(
        a.json() == {"result": True, "returnCode": "200", "message": "成功"} for a in answers
    )
    assert await TrackingEvent.filter(shipment_id=shipment["id"]).count() == 1
    assert len(await outbox("shipment.progress", shipment["id"])) == 1
    assert (await Shipment.get(id=shipment["id"])).state == "collected"


async def test_other_department_and_other_citizen_see_nothing(api, sims, people, citizen, staff):
    c, _, case, shipment = await ship(api, people)
    outsider = await staff(roles=["clerk"], department=unique("Y"))
    resp = await api.post(
        "/api/v1/staff/shipments",
        json={"case_id": case.id, "mode": "manual", "carrier": "ems", "waybill_no": unique("77")},
        headers=outsider.headers,
    )
    assert resp.status_code == 404
    resp = await api.post(
        f"/api/v1/staff/shipments/{shipment['id']}/hall-pickup", headers=outsider.headers
    )
    assert resp.status_code == 404
    listing = (await api.get("/api/v1/staff/shipments", headers=outsider.headers)).json()
    assert listing["items"] == []
    stranger = await citizen()
    assert (await api.get("/api/v1/shipments", headers=stranger.headers)).json()["items"] == []
    resp = await api.put(
        f"/api/v1/shipments/cases/{case.id}/delivery",
        json={"method": "window"},
        headers=stranger.headers,
    )
    assert resp.status_code == 404
    assert (await Case.get(id=case.id)).person_id == c.person_id


async def test_out_of_range_ids_answer_404_not_500(api, people) -> None:  # type: ignore[no-untyped-def]
    c, s = people
    big = 2**40  # beyond a 32-bit id column: must never reach the database
    resp = await api.post(
        "/api/v1/staff/shipments",
        json={"case_id": big, "mode": "manual", "carrier": "ems", "waybill_no": unique("88")},
        headers=s.headers,
    )
    assert resp.status_code == 422
    calls = [
        ("put", f"/api/v1/shipments/cases/{big}/delivery", {"json": {"method": "window"}}, c),
        ("post", f"/api/v1/shipments/{big}/choice", {"json": {"choice": "hall_pickup"}}, c),
        ("post", f"/api/v1/staff/shipments/{big}/hall-pickup", {}, s),
        ("post", f"/api/v1/staff/shipments/{big}/redeliver", {}, s),
    ]
    for method, url, kw, who in calls:
        resp = await getattr(api, method)(url, headers=who.headers, **kw)
        assert resp.status_code == 404, (url, resp.text)
        # ids beyond the column never match a route (app/path_params.py): the router's 404
        assert resp.json()["error"]["code"] in ("NOT_FOUND", "CASE_NOT_FOUND", "SHIPMENT_NOT_FOUND")


async def test_a_push_under_a_corrected_carrier_code_still_reaches_the_shipment(
    api, sims, people
) -> None:
    _c, _s, _case, shipment = await ship(api, people)
    waybill = shipment["waybill_no"]
    out = await push(sims, waybill, state="1", corrected_company="youzhengguonei")
    assert out["pushes"][0]["acked"] is True, out
    row = await Shipment.get(id=shipment["id"])
    assert row.state == "collected"
    assert await TrackingEvent.filter(shipment_id=row.id).count() == 1
