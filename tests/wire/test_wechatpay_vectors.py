"""WeChat Pay API v3 crypto against the published vectors (platform-protocols.md §2.2)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from pydantic import SecretStr

from channels.wechatpay import paysign, signing
from channels.wechatpay.bill import parse_trade_bill, yuan_to_fen
from channels.wechatpay.client import WeChatPayClient
from channels.wechatpay.errors import NotifyMalformed, NotifySignatureError, NotifyStale
from channels.wechatpay.notify import parse_notify
from channels.wechatpay.payment import WeChatPayGateway

KEYS = Path(__file__).resolve().parents[2] / "sandbox" / "keys"
WECHATPY_KEY = signing.load_private_key_file(str(KEYS / "wechatpy_apiclient_key.pem"))
DOC_KEY = signing.load_private_key_file(str(KEYS / "wxpay_doc_test_key.pem"))
GCM_KEY = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb"


def test_wechatpy_signature_vector() -> None:
    message = "GET\ntest\n1651854037\n1E3A8D73B5A4AEE787C0F68B5DAB8520\n\n"
    assert signing.sign(message, WECHATPY_KEY) == (
        "c4VewIfiOrSXkYtGqoZFzzjOr3LMhFFJRD5l18glbIUyXEF1wcG1euB4w5QdBlhgytM+28W7wmwqWTA8RsQWTBX"
        "R0YEXC6Mtd5xplSXlXghv7ORl0a2TRVQSuf/vhKOdXc54Ima3wqj8AOkMeaiswp8fdnwd6yq1s0bx6uchP9Q6PO"
        "0INGnpdH8NeKP21dlefeOc4H7OvnqHEyj/BsvdE1/DYUIFkw1q5fIAfxcUoqeXThtIL6ajLZgaaQJgYhPV7Cd6U"
        "Mf5gY3yxKYWIWWHALtdWrn+pCcIPKrop/keqHE9wJPYtAP3uJ8UKohiHDft01X5ex0Es5Z12+lR9VLyEQ=="
    )


def test_official_jsapi_order_authorization_vector() -> None:
    body = (
        '{"appid":"wxd678efh567hg6787","mchid":"1900007291","description":"Image形象店-深圳腾大'
        '-QQ公仔","out_trade_no":"1217752501201407033233368018","notify_url":"https://www.weixin'
        '.qq.com/wxpay/pay.php","amount":{"total":100,"currency":"CNY"},"payer":{"openid":"oUpF8'
        'uMuAJO_M2pxb1Q9zNjWeS6o"}}'
    )
    header = signing.authorization(
        mchid="1900007291", serial_no="SERIAL", key=DOC_KEY, method="POST",
        path_with_query="/v3/pay/transactions/jsapi", body=body,
        timestamp="1554208460", nonce="593BEC0C930BF1AFEB40B4A08C8FB242",
    )
    fields = signing.parse_authorization(header)
    assert fields["mchid"] == "1900007291" and fields["timestamp"] == "1554208460"
    assert fields["signature"] == (
        "jnks4dlrPw3ZX+ozVvSK39oa0t7OMBsg83BHAwd8BRdUFiVaQNTLTvci+wURgP1OQBbKYhFGvt7iqYpDSTQkp7Uq"
        "1sltaQKyncCyrA1g88m5bsKERQfPyT0ahSwKTYJ1CAn9QiJuSJRq1QsQs07eehbU/k9BCS51jTyc1Jpsi2H77HF9"
        "f/BnjXAOP3/sPObg6V5Ee4EzwLox684hhuMuIwHo7D8KFk3LIHOKDcNI4It1aCXydFWNpNK+SG86VUDe5kwoDpw4"
        "Ulqfu9z8OFDGbDs9TCxEv8iqQzbpxOlEVoOe2kalSYM5kApQb3nZcxdUtoE0liJGW3RGUNE0t4v01A=="
    )


def test_jsapi_paysign_vector() -> None:
    params = paysign.jsapi_params(
        "wx2421b1c4370ec43b", "wx201410272009395522657a690389285100", DOC_KEY,
        timestamp="1554208460", nonce="593BEC0C930BF1AFEB40B4A08C8FB242",
    )
    assert params["package"] == "prepay_id=wx201410272009395522657a690389285100"
    assert params["signType"] == "RSA"
    assert params["paySign"] == (
        "mI35pfNEQV6777ke/1T+LJLQDNTm7yeoUJH+j/adPGhmCCi0PbgkvYQTRcXH0uibcLVtvFLdGLpmoYO9FV6lBBs"
        "TAjuhh5YOvQi0e2g3e0yytitiNET9FEuqM0pjnKfRW4K6LIZDdbWJv9KhZUx3DrJa5TL7OJ7VdADVivxVySIlPV"
        "KjGwuCXzuXSJes0UcILgWQUMyha5/3nYofuHtS7r+KYyMuxD+oJ9VM1Qdxk4UIG59CP5Y3wtYIFybyF3bdu1caH"
        "TRRX+DLyMXyYA/IrTmiW01c4RPjpHBX5Dk1sZyY1zVsWNsvMHr2e1NTWtBxKJ+qk5N61J7caYoepHFaxw=="
    )


def test_app_params_sign_the_four_lines() -> None:
    params = paysign.app_params("wxapp", "1900000001", "wx123", DOC_KEY, timestamp="1", nonce="n")
    assert params["package"] == "Sign=WXPay" and params["partnerid"] == "1900000001"
    message = "wxapp\n1\nn\nwx123\n"
    assert signing.verify(message, params["sign"], DOC_KEY.public_key())


def test_aes_gcm_vector_from_wechatpay_java() -> None:
    sealed = "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI="
    assert signing.aead_decrypt(GCM_KEY, "uluk4a9R25RW", sealed, "associatedData") == b"message"
    assert signing.aead_encrypt(GCM_KEY, "uluk4a9R25RW", b"message", "associatedData") == sealed
    with pytest.raises(ValueError):
        signing.aead_decrypt(GCM_KEY, "uluk4a9R25RW", sealed, "other")


def _notify(resource: dict[str, object], ts: int, *, key: object = DOC_KEY) -> tuple[dict, bytes]:
    nonce = "abcdefabcdef"
    doc = {
        "id": "EV-2018022511223320873", "create_time": "2015-05-20T13:29:35+08:00",
        "resource_type": "encrypt-resource", "event_type": "TRANSACTION.SUCCESS",
        "summary": "支付成功",
        "resource": {
            "original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": signing.aead_encrypt(
                GCM_KEY, nonce, json.dumps(resource).encode(), "transaction"
            ),
            "associated_data": "transaction", "nonce": nonce,
        },
    }
    body = json.dumps(doc).encode()
    headers = {
        "Wechatpay-Timestamp": str(ts), "Wechatpay-Nonce": "n0nce",
        "Wechatpay-Serial": "PUB_KEY_ID_1",
        "Wechatpay-Signature": signing.sign(f"{ts}\nn0nce\n".encode() + body + b"\n", key),
    }
    return headers, body


def test_notify_window_signature_and_decryption() -> None:
    keys = {"PUB_KEY_ID_1": DOC_KEY.public_key()}
    headers, body = _notify({"out_trade_no": "T1", "amount": {"total": 1}}, 1_700_000_000)
    env = parse_notify(headers, body, platform_keys=keys, apiv3_key=GCM_KEY, now=1_700_000_299)
    assert env.id == "EV-2018022511223320873"
    assert env.resource["out_trade_no"] == "T1"
    with pytest.raises(NotifyStale):
        parse_notify(headers, body, platform_keys=keys, apiv3_key=GCM_KEY, now=1_700_000_301)
    lower = {k.lower(): v for k, v in headers.items()}  # header names arrive in any case
    assert parse_notify(lower, body, platform_keys=keys, apiv3_key=GCM_KEY, now=1_700_000_000)
    with pytest.raises(NotifySignatureError):
        parse_notify(headers, body.replace(b'"T', b'"X'), platform_keys=keys,
                     apiv3_key=GCM_KEY, now=1_700_000_000)
    forged, fbody = _notify({"out_trade_no": "T1"}, 1_700_000_000, key=WECHATPY_KEY)
    with pytest.raises(NotifySignatureError):
        parse_notify(forged, fbody, platform_keys=keys, apiv3_key=GCM_KEY, now=1_700_000_000)
    with pytest.raises(NotifySignatureError):
        parse_notify({**headers, "Wechatpay-Serial": "PUB_KEY_ID_2"}, body, platform_keys=keys,
                     apiv3_key=GCM_KEY, now=1_700_000_000)
    with pytest.raises(NotifyMalformed):
        parse_notify(headers, body, platform_keys=keys, apiv3_key="b" * 32, now=1_700_000_000)


def test_trade_bill_parsing() -> None:
    text = (
        "交易时间,公众账号ID,商户号,微信订单号,商户订单号,交易状态,应结订单金额,商户退款单号,退款金额\r\n"
        "`2026-11-21 10:00:00,`wx1,`1900,`4200001,`ZSB1,`SUCCESS,`12.30,`,`0.00\r\n"
        "`2026-11-21 11:00:00,`wx1,`1900,`4200001,`ZSB1,`REFUND,`0.00,`ZSB1R1,`2.30\r\n"
        "总交易单数,应结订单总金额,退款总金额\r\n`2,`12.30,`2.30\r\n"
    )
    rows = parse_trade_bill(text)
    assert [(r["kind"], r["amount_fen"], r["refund_fen"]) for r in rows] == [
        ("payment", 1230, 0), ("refund", 0, 230)
    ]
    assert rows[1]["out_refund_no"] == "ZSB1R1"
    assert yuan_to_fen("0.01") == 1 and yuan_to_fen("1234.56") == 123456


async def test_gateway_refuses_notifies_for_another_merchant_app_or_currency() -> None:
    client = WeChatPayClient(None, api_base="http://127.0.0.1:9",  # type: ignore[arg-type]
                             mchid="1900", serial_no="S", private_key=WECHATPY_KEY,
                             platform_keys={"PUB_KEY_ID_1": DOC_KEY.public_key()})
    settings = SimpleNamespace(wechatpay_appid="wxA", wechatpay_app_appid="wxB",
                               wechatpay_apiv3_key=SecretStr(GCM_KEY),
                               public_base_url="http://127.0.0.1:8000")
    gw = WeChatPayGateway(client, settings)  # type: ignore[arg-type]
    good = {"mchid": "1900", "appid": "wxB", "out_trade_no": "T1", "trade_state": "SUCCESS",
            "amount": {"total": 100, "currency": "CNY"}}
    now = int(time.time())
    result = await gw.verify_notify(*_notify(good, now))
    assert (result.out_trade_no, result.state, result.amount_fen) == ("T1", "paid", 100)
    for bad in ({"mchid": "1901"}, {"appid": "wxOther"},
                {"amount": {"total": 100, "currency": "USD"}}):
        with pytest.raises(NotifyMalformed):
            await gw.verify_notify(*_notify({**good, **bad}, now))


def test_garbled_bill_amount_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        yuan_to_fen("12,30")
