"""Async client for the Alipay open-platform gateway (docs: opendocs.alipay.com/open-v3).

Requests are built with the official SDK's request models and sign-content rules, signed
RSA2 with the app private key and sent with the process's aiohttp session: common parameters
in the query string, ``biz_content`` in a form body, as the official SDK does. Every answer is
verified with the Alipay public key over the raw ``…_response`` text before it is believed.
Never ``DefaultAlipayClient.execute`` (blocking urllib).
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import aiohttp
from alipay.aop.api.domain.AlipayDataDataserviceBillDownloadurlQueryModel import (
    AlipayDataDataserviceBillDownloadurlQueryModel,
)
from alipay.aop.api.domain.AlipayOpenAppMiniTemplatemessageSendModel import (
    AlipayOpenAppMiniTemplatemessageSendModel,
)
from alipay.aop.api.domain.AlipayTradeAppPayModel import AlipayTradeAppPayModel
from alipay.aop.api.domain.AlipayTradeCloseModel import AlipayTradeCloseModel
from alipay.aop.api.domain.AlipayTradeCreateModel import AlipayTradeCreateModel
from alipay.aop.api.domain.AlipayTradeFastpayRefundQueryModel import (
    AlipayTradeFastpayRefundQueryModel,
)
from alipay.aop.api.domain.AlipayTradeQueryModel import AlipayTradeQueryModel
from alipay.aop.api.domain.AlipayTradeRefundModel import AlipayTradeRefundModel
from cryptography.hazmat.primitives.asymmetric import rsa
from yarl import URL

from app.kv import KeyValue
from app.settings import Settings

from . import signing
from .amounts import beijing_stamp
from .errors import AlipayFinalError, AlipayRetryableError, AlipaySignatureError, error_for

log = logging.getLogger(__name__)


def is_user_id(subject: str) -> bool:
    """A 2088… user_id (16 digits) as opposed to a newer app-scoped open_id."""
    return len(subject) == 16 and subject.isdigit() and subject.startswith("2088")


class _RepeatedMember(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in pairs:
        if name in out:
            raise _RepeatedMember(name)
        out[name] = value
    return out


class AlipayClient:
    def __init__(self, settings: Settings, http: aiohttp.ClientSession) -> None:
        self.settings = settings
        self.http = http
        self.gateway = settings.alipay_gateway
        self.app_id = settings.alipay_app_id
        self.seller_id = settings.alipay_seller_id
        self.notify_url = settings.public_base_url.rstrip("/") + "/callbacks/alipay"
        self.timeout = aiohttp.ClientTimeout(total=settings.http_timeout)
        self._private_path = settings.alipay_private_key_file
        self._public_path = settings.alipay_public_key_file

    # keys load lazily so an unconfigured Alipay only fails when it is actually used
    @property
    def private_key(self) -> rsa.RSAPrivateKey:
        if not self._private_path:
            raise AlipayFinalError("ZSB_ALIPAY_PRIVATE_KEY_FILE is not set")
        return signing.load_private_key(self._private_path)

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        if not self._public_path:
            raise AlipayFinalError("ZSB_ALIPAY_PUBLIC_KEY_FILE is not set")
        return signing.load_public_key(self._public_path)

    # ---------------------------------------------------------------- transport

    def signed_params(
        self, method: str, biz: dict[str, Any] | None = None, **extra: str | None
    ) -> dict[str, str]:
        params: dict[str, Any] = {
            "app_id": self.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": beijing_stamp(),
            "version": "1.0",
            **extra,
        }
        if biz is not None:
            params["biz_content"] = json.dumps(biz, ensure_ascii=False, separators=(",", ":"))
        return signing.sign_request(params, self.private_key)

    async def call(
        self, method: str, biz: dict[str, Any] | None = None, **extra: str | None
    ) -> dict[str, Any]:
        """Send one gateway request; answer the verified ``…_response`` body (code 10000)."""
        params = self.signed_params(method, biz, **extra)
        form = {"biz_content": params.pop("biz_content")} if "biz_content" in params else {}
        url = URL(f"{self.gateway}?{urlencode(params)}", encoded=True)
        try:
            async with self.http.post(url, data=form, timeout=self.timeout) as resp:
                status = resp.status
                raw = await resp.text(encoding="utf-8")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise AlipayRetryableError(f"alipay {method}: {type(exc).__name__}") from exc
        if status >= 500:
            raise AlipayRetryableError(f"alipay {method}: http {status}", code=str(status))
        if status != 200:
            raise AlipayFinalError(f"alipay {method}: http {status}", code=str(status))
        return self.parse_response(method, raw)

    def parse_response(self, method: str, raw: str) -> dict[str, Any]:
        try:
            doc = json.loads(raw, object_pairs_hook=_no_duplicates)
        except _RepeatedMember as exc:
            # the signed copy and the believed copy of a member could differ: a forgery
            raise AlipaySignatureError(f"alipay {method}: repeated member {exc}") from exc
        except ValueError as exc:
            raise AlipayRetryableError(f"alipay {method}: answer is not JSON") from exc
        key = signing.response_key(method)
        if not isinstance(doc, dict):
            raise AlipayFinalError(f"alipay {method}: unexpected answer")
        which = key if key in doc else "error_response"
        if not isinstance(doc.get(which), dict):
            raise AlipayFinalError(f"alipay {method}: no {key} in answer")
        sign = doc.get("sign")
        signed = bool(sign)
        # believe only the exact text that was verified, parsed again from that text
        text = signing.raw_response_object(raw, which) or "{}"
        if signed and not signing.rsa2_verify(self.public_key, text, str(sign)):
            log.warning("alipay %s: response signature does not verify", method)
            raise AlipaySignatureError(f"alipay {method}: bad response signature")
        body: dict[str, Any] = json.loads(text)
        # alipay.system.oauth.token answers success without any "code" member
        failed = which == "error_response" or str(body.get("code", "10000")) != "10000"
        if failed:
            raise error_for(method, body, signed=signed)
        if not signed:
            raise AlipaySignatureError(f"alipay {method}: unsigned success answer")
        return body

    # ---------------------------------------------------------------- login

    async def oauth_token(self, code: str) -> dict[str, Any]:
        return await self.call(
            "alipay.system.oauth.token", grant_type="authorization_code", code=code
        )

    async def refresh_oauth_token(self, refresh_token: str) -> dict[str, Any]:
        return await self.call(
            "alipay.system.oauth.token", grant_type="refresh_token", refresh_token=refresh_token
        )

    async def user_info_share(self, access_token: str) -> dict[str, Any]:
        return await self.call("alipay.user.info.share", auth_token=access_token)

    # ---------------------------------------------------------------- trades

    async def trade_create(
        self,
        out_trade_no: str,
        total_amount: str,
        subject: str,
        buyer: str,
        *,
        time_expire: str | None = None,
        notify_url: str | None = None,
    ) -> dict[str, Any]:
        m = AlipayTradeCreateModel()
        m.out_trade_no, m.total_amount, m.subject = out_trade_no, total_amount, subject
        m.product_code = "JSAPI_PAY"
        if is_user_id(buyer):
            m.buyer_id = buyer
        else:
            m.buyer_open_id = buyer
        if time_expire:
            m.time_expire = time_expire
        return await self.call(
            "alipay.trade.create", m.to_alipay_dict(), notify_url=notify_url or self.notify_url
        )

    def app_pay_order_string(
        self,
        out_trade_no: str,
        total_amount: str,
        subject: str,
        *,
        time_expire: str | None = None,
        notify_url: str | None = None,
    ) -> str:
        """The signed order string the app SDK hands to Alipay; no server call."""
        m = AlipayTradeAppPayModel()
        m.out_trade_no, m.total_amount, m.subject = out_trade_no, total_amount, subject
        m.product_code = "QUICK_MSECURITY_PAY"
        if time_expire:
            m.time_expire = time_expire
        params = self.signed_params(
            "alipay.trade.app.pay", m.to_alipay_dict(), notify_url=notify_url or self.notify_url
        )
        sign = params.pop("sign")
        return urlencode(sorted(params.items())) + "&" + urlencode({"sign": sign})

    async def trade_query(self, out_trade_no: str) -> dict[str, Any]:
        m = AlipayTradeQueryModel()
        m.out_trade_no = out_trade_no
        return await self.call("alipay.trade.query", m.to_alipay_dict())

    async def trade_close(self, out_trade_no: str) -> dict[str, Any]:
        m = AlipayTradeCloseModel()
        m.out_trade_no = out_trade_no
        return await self.call("alipay.trade.close", m.to_alipay_dict())

    async def trade_refund(
        self, out_trade_no: str, refund_amount: str, out_request_no: str, reason: str = "",
        *, trade_no: str | None = None,
    ) -> dict[str, Any]:
        """With ``trade_no`` the refund names that payment (支付宝交易号), not the order."""
        m = AlipayTradeRefundModel()
        if trade_no:
            m.trade_no = trade_no
        else:
            m.out_trade_no = out_trade_no
        m.refund_amount = refund_amount
        m.out_request_no = out_request_no
        if reason:
            m.refund_reason = reason
        return await self.call("alipay.trade.refund", m.to_alipay_dict())

    async def refund_query(self, out_trade_no: str, out_request_no: str) -> dict[str, Any]:
        m = AlipayTradeFastpayRefundQueryModel()
        m.out_trade_no, m.out_request_no = out_trade_no, out_request_no
        return await self.call("alipay.trade.fastpay.refund.query", m.to_alipay_dict())

    # ---------------------------------------------------------------- bills

    async def bill_download_url(self, bill_date: str, bill_type: str = "trade") -> str:
        m = AlipayDataDataserviceBillDownloadurlQueryModel()
        m.bill_type, m.bill_date = bill_type, bill_date
        body = await self.call("alipay.data.dataservice.bill.downloadurl.query", m.to_alipay_dict())
        return str(body["bill_download_url"])

    async def fetch_bill(self, url: str) -> bytes:
        try:
            async with self.http.get(URL(url, encoded=True), timeout=self.timeout) as resp:
                if resp.status != 200:
                    raise AlipayRetryableError(f"alipay bill download: http {resp.status}")
                return await resp.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise AlipayRetryableError(f"alipay bill download: {type(exc).__name__}") from exc

    # ---------------------------------------------------------------- mini-program messages

    async def send_template_message(
        self, to_user: str, user_template_id: str, data: dict[str, Any], page: str | None = None
    ) -> dict[str, Any]:
        m = AlipayOpenAppMiniTemplatemessageSendModel()
        if is_user_id(to_user):
            m.to_user_id = to_user
        else:
            m.to_open_id = to_user
        m.user_template_id = user_template_id
        m.data = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if page:
            m.page = page
        return await self.call("alipay.open.app.mini.templatemessage.send", m.to_alipay_dict())


def build(settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> AlipayClient:
    return AlipayClient(settings, http)
