"""RSA2 signing and verification against the published and derived vectors
(docs: ../shared/reference/platform-protocols.md §3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alipay.aop.api.util.SignatureUtils import sign_with_rsa2

from channels.alipay import signing
from channels.alipay.amounts import beijing_stamp, fen_to_yuan, parse_beijing, yuan_to_fen

KEYS = Path(__file__).resolve().parents[2] / "sandbox" / "keys"
APP_PRIVATE = str(KEYS / "alipay_app_private_key.pem")
APP_PUBLIC = str(KEYS / "alipay_app_public_key.pem")
PLATFORM_PUBLIC = str(KEYS / "alipay_platform_public_key.pem")

HELLO_SIGN = (
    "N1IQLlHVZSmai3D0kF2r3IZTwrpUQdh0pbUAjE8bbiKBjRUvXX2T127yJW2pre4kPlS2HWgdbV6yDqk2ykIDHldFnJB"
    "khs/UPwt4D1Lt2rKgGETH1Tn98vgvbmYtAXNZDCAK6CcA+FTVFrpsHmBC4AkUppOb97gzmDeTRh9vTOXzNoMBv7bYk"
    "tdCRPBODQEXhcTfYNS57JgB25+uuHeAQdju3TdMeupHj2K0ktpBCLNwc9FOXAjOBil0Bo3aEV4+RLllGcsig5oe3vrK"
    "L5OfenSzA9YbgiGhHC8lWtYYeeBlOY0zijRTb+uCnnwMQTKbLHY/1HoY/D9b7n1uBAL1Bw=="
)

REQUEST_PARAMS = {
    "app_id": "2014072300007148",
    "biz_content": '{"out_trade_no":"20150320010101001","total_amount":"88.88",'
    '"subject":"Iphone6 16G","product_code":"QUICK_MSECURITY_PAY"}',
    "charset": "utf-8",
    "method": "alipay.trade.app.pay",
    "notify_url": "https://example.com/alipay/notify",
    "sign_type": "RSA2",
    "timestamp": "2016-08-25 20:26:31",
    "version": "1.0",
    "return_url": "",  # empty values are not signed
}
REQUEST_CONTENT = (
    "app_id=2014072300007148&biz_content={\"out_trade_no\":\"20150320010101001\","
    "\"total_amount\":\"88.88\",\"subject\":\"Iphone6 16G\",\"product_code\":"
    "\"QUICK_MSECURITY_PAY\"}&charset=utf-8&method=alipay.trade.app.pay&notify_url="
    "https://example.com/alipay/notify&sign_type=RSA2&timestamp=2016-08-25 20:26:31&version=1.0"
)
REQUEST_SIGN = (
    "SbO42JDasTDIAz70W4FGSIQ/qD8kbANg3DL7EEX9GvX6NQVNOSYLEmutR7tStwsizU1+8RyJAz5m9pG3Dl9ltfzm8Ax"
    "PxDVcOnLEO1tAANMownq4soIYeYkNmmexC7J8rXf4rzHXVwAliV7x49ngVckGhOHa5mkunFppcG9t6Ph7HgVvvCCVZX"
    "d5DyMnzFYH+PUr1UeQF4eWkOMYY8sPcmi9kxgeU7f7KBHdgxKCXlKjFFEvt3JZyA9fN4biZRpKwj+S0vAtcqml3fxr"
    "wXlUJ5tULkhXUSKia69rti0FgUg/jn+ocJWFQ3gi+cus0lAkVT4UKl4KpwW2/ZOgysGvwg=="
)

NOTIFY = {
    "app_id": "2015102700040153", "body": "大乐透2.1", "buyer_id": "2088102116773037",
    "charset": "utf-8", "gmt_close": "2016-07-19 14:10:46", "gmt_create": "2016-07-19 14:10:44",
    "gmt_payment": "2016-07-19 14:10:47", "notify_id": "4a91b7a78a503640467525113fb7d8bg8e",
    "notify_time": "2016-07-19 14:10:49", "notify_type": "trade_status_sync",
    "out_trade_no": "0719141034-6418", "refund_fee": "0.00", "seller_id": "2088102119685838",
    "subject": "大乐透2.1", "total_amount": "2.00",
    "trade_no": "2016071921001003030200089909", "trade_status": "TRADE_SUCCESS",
    "version": "1.0", "sign_type": "RSA2",
}
NOTIFY_SIGN = (
    "NMZEnMfRwqfKM3bQhumLCN48hjNXCtju/+Pc0i+3ofC3p7IsxY//gerzdHRa2IbtpRGRrU1vPR2S/EFOfdaIHTtt2sy"
    "B7qxn39cISzEbBucA+8nwiQXXrf/+pNEF9jZSXfK9zBxGPBSSuYOXmytHVJq7EaGHjU6fDsHQVVEgDOqDE3sFjz0QWc"
    "y7XzNUgYyDmpJxFpO346G2khK7vvOkFC0KQmvDe8wcVhQdUHMGGhrCJI25glD9DJozNTzuzQ4jT509z4HqgjXepvpBy"
    "Cg0ppHcpqhRyp16HbVAkbAtc7fwrFo/6R+iZ/7KCZOyU442j2rbNDJPJ8PZkprLyB/MWw=="
)


def test_hello_vector_matches_openssl() -> None:
    key = signing.load_private_key(APP_PRIVATE)
    assert signing.rsa2_sign(key, "hello\n") == HELLO_SIGN
    assert signing.rsa2_verify(signing.load_public_key(APP_PUBLIC), "hello\n", HELLO_SIGN)


def test_same_bytes_as_the_official_sdk() -> None:
    pem = Path(APP_PRIVATE).read_text()
    body = "".join(pem.strip().splitlines()[1:-1])
    assert sign_with_rsa2(body, REQUEST_CONTENT, "utf-8") == REQUEST_SIGN


def test_request_signing_vector() -> None:
    assert signing.request_sign_content(REQUEST_PARAMS) == REQUEST_CONTENT
    signed = signing.sign_request(REQUEST_PARAMS, signing.load_private_key(APP_PRIVATE))
    assert signed["sign"] == REQUEST_SIGN
    assert "return_url" not in signed


def test_notify_vector_verifies_and_tampering_fails() -> None:
    pub = signing.load_public_key(APP_PUBLIC)  # the fzlee key played "Alipay" for this vector
    assert "gmt_create=2016-07-19 14:10:44" in signing.notify_sign_content(NOTIFY)
    assert "sign_type" not in signing.notify_sign_content(NOTIFY)
    assert signing.verify_notify({**NOTIFY, "sign": NOTIFY_SIGN}, pub)
    assert not signing.verify_notify({**NOTIFY, "sign": NOTIFY_SIGN, "total_amount": "200.00"},
                                     pub)
    assert not signing.verify_notify({**NOTIFY, "sign": NOTIFY_SIGN, "sign_type": "RSA"}, pub)
    assert not signing.verify_notify(NOTIFY, pub)
    assert not signing.verify_notify({**NOTIFY, "sign": "not base64!!"}, pub)
    # signed with the app key, so the real "Alipay" key must refuse it
    assert not signing.verify_notify({**NOTIFY, "sign": NOTIFY_SIGN},
                                     signing.load_public_key(PLATFORM_PUBLIC))


def test_raw_response_object_is_the_exact_text() -> None:
    inner = '{ "code":"10000", "msg":"Success","note":"a \\"}\\" {x}", "n":{"k":[1,{"a":2}]} }'
    raw = ('{"alipay_trade_query_response" :' + inner + ',"sign":"abc",'
           '"x":{"alipay_trade_query_response":{}}}')
    assert signing.raw_response_object(raw, "alipay_trade_query_response") == inner
    decoy = '{"note":"\\"alipay_trade_query_response\\":{}","alipay_trade_query_response":{"a":1}}'
    assert signing.raw_response_object(decoy, "alipay_trade_query_response") == '{"a":1}'
    assert signing.raw_response_object('{"error_response":{}}', "x_response") is None
    assert json.loads(signing.raw_response_object(raw, "alipay_trade_query_response") or "")


@pytest.mark.parametrize(("fen", "yuan"), [(8888, "88.88"), (1, "0.01"), (100, "1.00"),
                                            (0, "0.00"), (123456789, "1234567.89")])
def test_money_round_trip(fen: int, yuan: str) -> None:
    assert fen_to_yuan(fen) == yuan
    assert yuan_to_fen(yuan) == fen


@pytest.mark.parametrize("bad", ["88.888", "1e3", "", "abc", "8,8", "NaN", "0x10", " .5"])
def test_bad_amounts_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        yuan_to_fen(bad)


def test_fen_must_be_int() -> None:
    with pytest.raises(TypeError):
        fen_to_yuan(88.88)  # type: ignore[arg-type]


def test_beijing_time() -> None:
    moment = parse_beijing("2016-07-19 14:10:47")
    assert moment is not None and moment.utcoffset() is not None
    assert moment.isoformat() == "2016-07-19T06:10:47+00:00"
    assert beijing_stamp(moment) == "2016-07-19 14:10:47"
    assert parse_beijing("garbage") is None and parse_beijing(None) is None
