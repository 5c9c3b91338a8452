"""kuaidi100 signing and parsing against the protocols reference's vectors (no network)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from channels.express import kuaidi100_proto as proto
from channels.express.carrier import msg_digest
from channels.express.errors import CallbackRejected

# [DERIVED] query vector: the reference's param, key "testkey", customer "TESTCUSTOMER"
QUERY_PARAM = (
    '{"com":"yuantong","num":"YT9693083639795","phone":"","from":"","to":"",'
    '"resultv2":"1","show":"0","order":"desc"}'
)

PUSH_PARAM = json.dumps(
    {
        "status": "polling",
        "message": "",
        "lastResult": {
            "state": "5",
            "ischeck": "0",
            "com": "ems",
            "nu": "1180000000001",
            "data": [
                {
                    "context": "正在派送",
                    "time": "2026-11-20 10:05:00",
                    "ftime": "2026-11-20 10:05:00",
                    "status": "派件",
                    "statusCode": "5",
                    "areaName": "北京市,朝阳区",
                },
                {
                    "context": "已收寄",
                    "time": "2026-11-19 09:00:00",
                    "ftime": "2026-11-19 09:00:00",
                    "status": "揽收",
                    "statusCode": "1",
                },
            ],
        },
    },
    ensure_ascii=False,
)


def test_query_sign_derived_vector() -> None:
    assert proto.query_sign(QUERY_PARAM, "testkey", "TESTCUSTOMER") == (
        "CC8201663070DFC4563BF3F98985DC0E"
    )


def test_callback_sign_is_upper_md5_of_param_and_salt() -> None:
    assert proto.callback_sign("abc", "") == "900150983CD24FB0D6963F7D28E17F72"  # RFC 1321
    assert proto.callback_sign("ab", "c") == proto.callback_sign("abc", "")


def test_carrier_digest_sf_doc_vector() -> None:
    # [VERIFIED] SF 丰桥 doc sample for the standard msgDigest our carrier envelope uses
    msg = '{"language":"zh-CN","orderId":"QIAO-20200618-004"}'
    assert msg_digest(msg, "12312334453453", "fjcg5PGKaNpPSHFAZ4QsCOkV71R3zVci") == (
        "IIKJtuLVzoFTu4kHI8M8vA=="
    )


@pytest.mark.parametrize(
    ("code", "state"),
    [
        ("0", "in_transit"),
        ("1", "collected"),
        ("2", "trouble"),
        ("3", "signed"),
        ("4", "returned"),
        ("5", "out_for_delivery"),
        ("6", "returning"),
        ("7", "in_transit"),
        ("14", "refused"),
        ("501", "out_for_delivery"),
        ("1001", "in_transit"),
        (None, None),
    ],
)
def test_state_mapping(code: str | None, state: str | None) -> None:
    assert proto.map_state(code) == state


def test_verify_push_parses_oldest_first_in_utc() -> None:
    update = proto.verify_push(
        {"param": PUSH_PARAM, "sign": proto.callback_sign(PUSH_PARAM, "salt")}, "salt"
    )
    assert (update.carrier, update.waybill_no, update.status) == ("ems", "1180000000001", "polling")
    assert update.state == "out_for_delivery"
    assert [e.state for e in update.events] == ["collected", "out_for_delivery"]
    assert update.events[1].time == datetime(2026, 11, 20, 2, 5, tzinfo=UTC)
    assert update.events[1].area == "北京市,朝阳区"


@pytest.mark.parametrize(
    "form",
    [
        {"param": PUSH_PARAM, "sign": proto.callback_sign(PUSH_PARAM, "other")},
        {"param": PUSH_PARAM + " ", "sign": proto.callback_sign(PUSH_PARAM, "salt")},
        {"param": PUSH_PARAM},
        {"sign": "X"},
        {"param": "not json", "sign": proto.callback_sign("not json", "salt")},
    ],
)
def test_verify_push_rejects(form: dict[str, str]) -> None:
    with pytest.raises(CallbackRejected):
        proto.verify_push(form, "salt")


def test_a_trace_line_that_does_not_parse_is_skipped_not_fatal() -> None:
    from channels.express.kuaidi100_proto import parse_events

    events = parse_events([
        {"time": "2026-11-21 09:00:00", "context": "已签收", "status": "签收"},
        {"time": "2026-11-21T08:00:00+08:00", "context": "格式不同的一行"},
        {"context": "没有时间的一行"},
        {"ftime": "2026-11-20 18:00:00", "context": "已揽收", "status": "揽收"},
    ])
    assert [e.context for e in events] == ["已揽收", "已签收"]
