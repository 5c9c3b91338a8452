"""WeChat Pay API v3 client: signed requests, verified responses, aiohttp, no blocking calls.

https://pay.weixin.qq.com/docs/merchant/development/interface-rules/introduction.html
The crypto lives in ``signing.py``; this module is the HTTP side only.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import aiohttp
from cryptography.hazmat.primitives.asymmetric import rsa

from channels.wechatpay import signing
from channels.wechatpay.errors import (
    ResponseSignatureError,
    WeChatPayFinal,
    WeChatPayRetryable,
    from_response,
)

log = logging.getLogger(__name__)


class WeChatPayClient:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        api_base: str,
        mchid: str,
        serial_no: str,
        private_key: rsa.RSAPrivateKey,
        platform_keys: dict[str, rsa.RSAPublicKey],
        timeout: float = 10.0,
    ) -> None:
        self.http = http
        self.api_base = api_base.rstrip("/")
        self.mchid = mchid
        self.serial_no = serial_no
        self.private_key = private_key
        self.platform_keys = platform_keys
        self.timeout = aiohttp.ClientTimeout(total=timeout, connect=min(3.0, timeout))

    # ------------------------------------------------------------ transport

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        raw: bool = False,
    ) -> tuple[int, bytes]:
        path_q = f"{path}?{urlencode(params)}" if params else path
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")) if body else ""
        headers = {
            "Authorization": signing.authorization(
                mchid=self.mchid,
                serial_no=self.serial_no,
                key=self.private_key,
                method=method,
                path_with_query=path_q,
                body=payload,
            ),
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        try:
            async with self.http.request(
                method,
                self.api_base + path_q,
                data=payload.encode() if payload else None,
                headers=headers,
                timeout=self.timeout,
            ) as resp:
                data = await resp.read()
                status = resp.status
                if not raw and 200 <= status < 300:
                    self._verify_response(resp.headers, data)
                signed = 300 <= status < 500 and self._signed(resp.headers, data)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise WeChatPayRetryable(f"WeChat Pay unreachable: {type(exc).__name__}") from exc
        if status >= 300:
            try:
                err = json.loads(data) if data else None
            except ValueError:
                err = None
            raise from_response(status, err if isinstance(err, dict) else None, signed=signed)
        return status, data

    def _signed(self, headers: Any, data: bytes) -> bool:
        """Whether an answer carries WeChat Pay's valid signature (an error answer is acted on
        only then: "no such order" closes ours, so it must come from WeChat Pay)."""
        try:
            self._verify_response(headers, data)
        except ResponseSignatureError:
            return False
        return True

    def _verify_response(self, headers: Any, data: bytes) -> None:
        serial = headers.get("Wechatpay-Serial", "")
        key = self.platform_keys.get(serial)
        if key is None:
            raise ResponseSignatureError(f"unknown platform key serial {serial!r}")
        message = signing.response_message(
            headers.get("Wechatpay-Timestamp", ""), headers.get("Wechatpay-Nonce", ""), data
        )
        if not signing.verify(message, headers.get("Wechatpay-Signature", ""), key):
            raise ResponseSignatureError("response signature does not verify")

    async def _json(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        _, data = await self._call(method, path, **kw)
        return json.loads(data) if data else {}

    # ------------------------------------------------------------ transactions

    async def _prepay(self, kind: str, order: dict[str, Any]) -> str:
        answer = await self._json("POST", f"/v3/pay/transactions/{kind}", body=order)
        prepay_id = answer.get("prepay_id")
        if not prepay_id:
            raise WeChatPayFinal("no prepay_id in the answer", raw=answer)
        return str(prepay_id)

    def _order(
        self, appid: str, description: str, out_trade_no: str, total: int, notify_url: str,
        time_expire: str | None,
    ) -> dict[str, Any]:
        order: dict[str, Any] = {
            "appid": appid,
            "mchid": self.mchid,
            "description": description[:127],
            "out_trade_no": out_trade_no,
            "notify_url": notify_url,
            "amount": {"total": total, "currency": "CNY"},
        }
        if time_expire:
            order["time_expire"] = time_expire
        return order

    async def prepay_jsapi(
        self, *, appid: str, description: str, out_trade_no: str, total: int, notify_url: str,
        openid: str, time_expire: str | None = None,
    ) -> str:
        """JSAPI / mini-program 下单 → ``prepay_id``.
        https://pay.weixin.qq.com/docs/merchant/apis/jsapi-payment/direct-jsons/jsapi-prepay.html
        """
        order = self._order(appid, description, out_trade_no, total, notify_url, time_expire)
        order["payer"] = {"openid": openid}
        return await self._prepay("jsapi", order)

    async def prepay_app(
        self, *, appid: str, description: str, out_trade_no: str, total: int, notify_url: str,
        time_expire: str | None = None,
    ) -> str:
        """APP 下单 → ``prepay_id``.
        https://pay.weixin.qq.com/docs/merchant/apis/in-app-payment/direct-jsons/app-prepay.html
        """
        order = self._order(appid, description, out_trade_no, total, notify_url, time_expire)
        return await self._prepay("app", order)

    async def prepay_h5(
        self, *, appid: str, description: str, out_trade_no: str, total: int, notify_url: str,
        payer_client_ip: str, time_expire: str | None = None,
    ) -> str:
        """H5 下单 (a phone browser outside WeChat) → ``h5_url``, the cashier the browser is sent
        to; ``&redirect_url=`` (URL-encoded) may be added to come back to our page.
        https://pay.weixin.qq.com/docs/merchant/apis/h5-payment/direct-jsons/h5-prepay.html
        """
        order = self._order(appid, description, out_trade_no, total, notify_url, time_expire)
        order["scene_info"] = {"payer_client_ip": payer_client_ip, "h5_info": {"type": "Wap"}}
        answer = await self._json("POST", "/v3/pay/transactions/h5", body=order)
        h5_url = answer.get("h5_url")
        if not h5_url:
            raise WeChatPayFinal("no h5_url in the answer", raw=answer)
        return str(h5_url)

    async def query(self, out_trade_no: str) -> dict[str, Any]:
        """商户订单号查询订单 (raises ``WeChatPayFinal`` code ``ORDER_NOT_EXIST``)."""
        path = f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no, safe='')}"
        return await self._json("GET", path, params={"mchid": self.mchid})

    async def close(self, out_trade_no: str) -> None:
        """关闭订单: 204 No Content."""
        path = f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no, safe='')}/close"
        await self._call("POST", path, body={"mchid": self.mchid})

    # ------------------------------------------------------------ refunds

    async def refund(
        self, *, out_trade_no: str, out_refund_no: str, refund: int, total: int, reason: str,
        notify_url: str, transaction_id: str | None = None,
    ) -> dict[str, Any]:
        """退款申请; the same ``out_refund_no`` twice is one refund. With ``transaction_id`` the
        refund names that payment (微信支付订单号) instead of the order number.
        https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create.html
        """
        trade = ({"transaction_id": transaction_id} if transaction_id
                 else {"out_trade_no": out_trade_no})
        body = {
            **trade,
            "out_refund_no": out_refund_no,
            "reason": reason[:80],
            "notify_url": notify_url,
            "amount": {"refund": refund, "total": total, "currency": "CNY"},
        }
        return await self._json("POST", "/v3/refund/domestic/refunds", body=body)

    async def query_refund(self, out_refund_no: str) -> dict[str, Any]:
        path = f"/v3/refund/domestic/refunds/{quote(out_refund_no, safe='')}"
        return await self._json("GET", path)

    # ------------------------------------------------------------ bills

    async def trade_bill(self, bill_date: str, bill_type: str = "ALL") -> str:
        """申请交易账单 then download it; the file is checked against its SHA1 ``hash_value``.
        https://pay.weixin.qq.com/docs/merchant/apis/bill-download/trade-bill/get-trade-bill.html
        """
        meta = await self._json(
            "GET", "/v3/bill/tradebill", params={"bill_date": bill_date, "bill_type": bill_type}
        )
        url = urlsplit(str(meta.get("download_url", "")))
        path = url.path
        params = dict(p.split("=", 1) for p in url.query.split("&") if "=" in p) or None
        _, data = await self._call("GET", path, params=params, raw=True)
        if meta.get("hash_value") and hashlib.sha1(data).hexdigest() != meta["hash_value"]:  # noqa: S324
            raise ResponseSignatureError("bill file hash does not match")
        return data.decode("utf-8-sig")
