"""The WeChat Pay simulator's protocol side: keys, signatures, answers, transactions, notifies."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from aiohttp import web
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEYS = Path(__file__).resolve().parents[1] / "keys"
SIM_MCHID = "1900009191"
SIM_APPID = "wxd678efh567hg6787"
SIM_APP_APPID = "wx8888888888888888"
MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
PLATFORM_KEY_ID = "PUB_KEY_ID_0119000091912025010100000000000001"
APIV3_KEY = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb"
CST = timezone(timedelta(hours=8))
# 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h
RETRY_SCHEDULE = (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800,
                  21600, 21600)
BILL_COLUMNS = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,"
    "付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,"
    "退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
).split(",")

def _load_private(name: str) -> Any:
    return serialization.load_pem_private_key((KEYS / name).read_bytes(), password=None)


PLATFORM_KEY = _load_private("wxpay_doc_test_key.pem")
MERCHANT_PUBLIC = _load_private("wechatpy_apiclient_key.pem").public_key()


def _sign(message: bytes) -> str:
    signature = PLATFORM_KEY.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def _signed_headers(body: bytes, *, ts: int | None = None, forge: bool = False) -> dict[str, str]:
    timestamp = str(ts if ts is not None else int(time.time()))
    nonce = secrets.token_hex(16)
    signature = _sign(f"{timestamp}\n{nonce}\n".encode() + body + b"\n")
    if forge:  # a valid-looking signature over different bytes: WeChat's probe notifies
        signature = _sign(f"{timestamp}\n{nonce}\n".encode() + body + b" \n")
    return {"Wechatpay-Timestamp": timestamp, "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signature, "Wechatpay-Serial": PLATFORM_KEY_ID,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
            "Request-ID": secrets.token_hex(8)}


def _answer(status: int, doc: dict[str, Any] | None = None) -> web.Response:
    body = json.dumps(doc, ensure_ascii=False).encode() if doc is not None else b""
    return web.Response(status=status, body=body, headers=_signed_headers(body),
                        content_type="application/json" if body else None)


def _error(status: int, code: str, message: str) -> web.Response:
    return _answer(status, {"code": code, "message": message})


def _now_cst() -> str:
    return datetime.now(CST).isoformat(timespec="seconds")


def _verify_auth(request: web.Request, body: bytes) -> str | None:
    """None when our Authorization header is right, else what is wrong."""
    schema, _, rest = request.headers.get("Authorization", "").partition(" ")
    if schema != "WECHATPAY2-SHA256-RSA2048":
        return "缺少或错误的认证类型"
    fields = dict(p.strip().split("=", 1) for p in rest.split(",") if "=" in p)
    fields = {k: v.strip('"') for k, v in fields.items()}
    if fields.get("mchid") != SIM_MCHID or fields.get("serial_no") != MERCHANT_SERIAL:
        return "商户号或证书序列号不匹配"
    try:
        if abs(time.time() - int(fields.get("timestamp", "0"))) > 300:
            return "请求时间戳超出范围"
        message = (f"{request.method}\n{request.path_qs}\n{fields['timestamp']}\n"
                   f"{fields['nonce_str']}\n").encode() + body + b"\n"
        MERCHANT_PUBLIC.verify(base64.b64decode(fields["signature"]), message,
                               padding.PKCS1v15(), hashes.SHA256())
    except Exception:
        return "签名错误"
    return None


@web.middleware
async def auth_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    if request.path.startswith("/_sim/"):
        return await handler(request)
    body = await request.read()
    request.app["state"]["requests"].append({"method": request.method, "path": request.path_qs})
    problem = _verify_auth(request, body)
    if problem:
        return _error(401, "SIGN_ERROR", problem)
    return await handler(request)


def _transaction(order: dict[str, Any], *, total: int | None = None) -> dict[str, Any]:
    tx = {"appid": order["appid"], "mchid": SIM_MCHID, "out_trade_no": order["out_trade_no"],
          "trade_type": order["trade_type"], "trade_state": order["state"],
          "trade_state_desc": {"SUCCESS": "支付成功", "NOTPAY": "未支付", "CLOSED": "已关闭",
                               "REFUND": "转入退款"}.get(order["state"], ""),
          "amount": {"total": total if total is not None else order["total"],
                     "payer_total": order["total"], "currency": "CNY", "payer_currency": "CNY"}}
    if order.get("transaction_id"):
        tx.update(transaction_id=order["transaction_id"], success_time=order["success_time"],
                  bank_type="OTHERS", attach="", payer={"openid": order.get("openid", "")})
    return tx


def _build_notify(event_type: str, summary: str, original_type: str, resource: dict[str, Any],
                  *, fault: str | None = None) -> dict[str, Any]:
    nonce = secrets.token_hex(6)
    plain = json.dumps(resource, ensure_ascii=False).encode()
    sealed = AESGCM(APIV3_KEY.encode()).encrypt(nonce.encode(), plain, original_type.encode())
    doc = {"id": secrets.token_hex(18), "create_time": _now_cst(),
           "resource_type": "encrypt-resource", "event_type": event_type, "summary": summary,
           "resource": {"original_type": original_type, "algorithm": "AEAD_AES_256_GCM",
                        "ciphertext": base64.b64encode(sealed).decode(),
                        "associated_data": original_type, "nonce": nonce}}
    body = json.dumps(doc, ensure_ascii=False).encode()
    ts = int(time.time()) - 600 if fault == "stale" else None
    headers = _signed_headers(body, ts=ts, forge=fault == "bad_signature")
    headers["Content-Type"] = "application/json"
    return {"id": doc["id"], "headers": headers, "body": body.decode()}


def _pay_notify(order: dict[str, Any], fault: str | None) -> dict[str, Any]:
    total = order["total"] + 1 if fault == "wrong_amount" else None
    tx = _transaction(order, total=total)
    if fault == "no_amount":  # correctly signed, but says nothing of the money
        del tx["amount"]
    return _build_notify("TRANSACTION.SUCCESS", "支付成功", "transaction", tx, fault=fault)


async def _deliver(app: web.Application, url: str, notify: dict[str, Any]) -> dict[str, Any]:
    if app.get("zsb_base_url"):  # reach our server wherever the harness put it
        base = urlsplit(app["zsb_base_url"])
        url = urlunsplit(urlsplit(url)._replace(scheme=base.scheme, netloc=base.netloc))
    record: dict[str, Any] = {"id": notify["id"], "url": url, "answers": [], "acked": False}
    app["state"]["notifies"].append(record)
    scale = float(app["state"]["options"]["retry_scale"])
    for wait in (0, *RETRY_SCHEDULE):
        if wait:
            await asyncio.sleep(wait * scale)
        try:
            async with app["http"].post(url, data=notify["body"].encode(),
                                        headers=notify["headers"]) as resp:
                record["answers"].append({"http": resp.status, "body": await resp.text()})
                if resp.status in (200, 204):
                    record["acked"] = True
                    break
        except (aiohttp.ClientError, TimeoutError) as exc:
            record["answers"].append({"error": repr(exc)})
    return record

