"""``WeChatPayGateway``: the core's ``PaymentGateway`` over WeChat Pay API v3."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import aiohttp

from app.interfaces import NotifyKind, PayRequest, PayResult, PayState, RefundFacts
from app.settings import Settings
from channels.wechatpay import paysign, signing
from channels.wechatpay.bill import parse_trade_bill
from channels.wechatpay.client import WeChatPayClient
from channels.wechatpay.errors import NotifyMalformed, WeChatPayFinal
from channels.wechatpay.notify import parse_notify

CST = timezone(timedelta(hours=8))
TRADE_STATES = {
    "SUCCESS": PayState.paid,
    "REFUND": PayState.paid,  # paid, then (partly) refunded: the refund has its own record
    "NOTPAY": PayState.pending,
    "USERPAYING": PayState.pending,
    "CLOSED": PayState.closed,
    "REVOKED": PayState.closed,
    "PAYERROR": PayState.failed,
}


def _fen(value: Any) -> int | None:
    return None if value is None else int(value)


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except ValueError:
        return None


class WeChatPayGateway:
    name = "wechatpay"

    def __init__(self, client: WeChatPayClient, settings: Settings) -> None:
        self.client = client
        self.appid = settings.wechatpay_appid
        self.app_appid = settings.wechatpay_app_appid
        self.apiv3_key = settings.wechatpay_apiv3_key.get_secret_value()
        base = settings.public_base_url.rstrip("/")
        self.notify_url = f"{base}/callbacks/wechatpay"

    async def create(self, req: PayRequest) -> dict[str, Any]:
        expire = None
        if req.expires_at:
            expire = req.expires_at.astimezone(CST).isoformat(timespec="seconds")
        common: dict[str, Any] = {
            "description": req.subject,
            "out_trade_no": req.out_trade_no,
            "total": req.amount_fen,
            "notify_url": self.notify_url,
            "time_expire": expire,
        }
        key = self.client.private_key
        if req.scene == "h5":
            h5_url = await self.client.prepay_h5(
                appid=self.appid, payer_client_ip=req.client_ip or "127.0.0.1", **common
            )
            return {"channel": self.name, "scene": req.scene, "h5_url": h5_url}
        if req.scene == "app":
            prepay_id = await self.client.prepay_app(appid=self.app_appid, **common)
            params = paysign.app_params(self.app_appid, self.client.mchid, prepay_id, key)
        else:
            if not req.payer_id:
                raise WeChatPayFinal("JSAPI payment needs the payer's openid", code="PARAM_ERROR")
            prepay_id = await self.client.prepay_jsapi(
                appid=self.appid, openid=req.payer_id, **common
            )
            params = paysign.jsapi_params(self.appid, prepay_id, key)
        return {"channel": self.name, "scene": req.scene, "prepay_id": prepay_id, "params": params}

    def _result(self, tx: dict[str, Any], extra: dict[str, Any], *,
                kind: NotifyKind | None = None, notify_id: str | None = None) -> PayResult:
        amount = tx.get("amount") or {}
        return PayResult(
            out_trade_no=str(tx.get("out_trade_no", "")),
            state=TRADE_STATES.get(str(tx.get("trade_state")), PayState.pending),
            amount_fen=amount.get("total"),
            transaction_id=tx.get("transaction_id"),
            paid_at=_parse_time(tx.get("success_time")),
            raw={**extra, "currency": amount.get("currency"), "trade_state": tx.get("trade_state")},
            kind=kind, notify_id=notify_id,
        )

    async def verify_notify(self, headers: Mapping[str, str], body: bytes) -> PayResult:
        env = parse_notify(
            headers, body, platform_keys=self.client.platform_keys, apiv3_key=self.apiv3_key
        )
        res = env.resource
        base = {"notify_id": env.id, "event_type": env.event_type}
        if res.get("mchid") != self.client.mchid:
            raise NotifyMalformed("mchid is not ours")
        if env.event_type.startswith("REFUND."):
            amount = res.get("amount") or {}
            return PayResult(
                out_trade_no=str(res.get("out_trade_no", "")),
                state=PayState.refunded if res.get("refund_status") == "SUCCESS"
                else PayState.failed,
                amount_fen=amount.get("refund"),
                transaction_id=res.get("transaction_id"),
                paid_at=_parse_time(res.get("success_time")),
                raw={**base, "out_refund_no": res.get("out_refund_no"),
                     "refund_id": res.get("refund_id"), "refund_status": res.get("refund_status"),
                     "total_fen": amount.get("total"), "refund_fen": amount.get("refund")},
                kind=NotifyKind.refund, notify_id=env.id,
                refund=RefundFacts(
                    out_refund_no=str(res.get("out_refund_no") or ""),
                    status=res.get("refund_status"),
                    refund_fen=_fen(amount.get("refund"))),
            )
        if res.get("appid") not in {self.appid, self.app_appid}:
            raise NotifyMalformed("appid is not ours")
        currency = (res.get("amount") or {}).get("currency")
        if currency not in (None, "CNY"):
            raise NotifyMalformed("currency is not CNY")
        return self._result(res, base, kind=NotifyKind.payment,
                            notify_id=env.id)

    async def query(self, out_trade_no: str) -> PayResult:
        try:
            tx = await self.client.query(out_trade_no)
        except WeChatPayFinal as exc:
            if exc.code == "ORDER_NOT_EXIST" and exc.signed:
                return PayResult(out_trade_no=out_trade_no, state=PayState.closed,
                                 raw={"missing": True})
            raise
        if str(tx.get("out_trade_no", "")) != out_trade_no:  # an answer about another order
            raise WeChatPayFinal("query answered for another order", raw=tx)
        return self._result(tx, {})

    async def close(self, out_trade_no: str) -> None:
        try:
            await self.client.close(out_trade_no)
        except WeChatPayFinal as exc:
            if exc.code not in {"ORDER_CLOSED", "ORDER_NOT_EXIST"}:
                raise

    async def refund(
        self, out_trade_no: str, out_refund_no: str, amount_fen: int, total_fen: int, reason: str,
        *, transaction_id: str | None = None,
    ) -> dict[str, Any]:
        answer = await self.client.refund(
            out_trade_no=out_trade_no, out_refund_no=out_refund_no, refund=amount_fen,
            total=total_fen, reason=reason, notify_url=self.notify_url,
            transaction_id=transaction_id,
        )
        status = answer.get("status")
        return {
            "refund_id": answer.get("refund_id"),
            "state": {"SUCCESS": "succeeded", "CLOSED": "failed", "ABNORMAL": "failed"}.get(
                str(status), "processing"
            ),
            "raw": answer,
        }

    async def refund_status(self, out_trade_no: str, out_refund_no: str) -> dict[str, Any]:
        """Same shape as the Alipay gateway's: ``status`` succeeded | processing | failed |
        not_found."""
        try:
            answer = await self.client.query_refund(out_refund_no)
        except WeChatPayFinal as exc:
            if exc.code == "RESOURCE_NOT_EXISTS":
                return {"status": "not_found", "out_refund_no": out_refund_no}
            raise
        status = {"SUCCESS": "succeeded", "CLOSED": "failed", "ABNORMAL": "failed"}.get(
            str(answer.get("status")), "processing"
        )
        return {"status": status, "out_refund_no": out_refund_no,
                "amount_fen": (answer.get("amount") or {}).get("refund"), "raw": answer}

    async def download_bill(self, bill_date: str) -> list[dict[str, Any]]:
        data = await self.client.trade_bill(bill_date)
        return await asyncio.to_thread(parse_trade_bill, data)  # a day's bill: off the loop


def build(settings: Settings, http: aiohttp.ClientSession, kv: object) -> WeChatPayGateway:
    platform_keys = {}
    if settings.wechatpay_platform_public_key_file:
        key = signing.load_public_key_file(settings.wechatpay_platform_public_key_file)
        platform_keys[settings.wechatpay_platform_key_id] = key
    if settings.wechatpay_private_key_file:
        private_key = signing.load_private_key_file(settings.wechatpay_private_key_file)
    else:  # unconfigured: a throwaway key, so calls fail at the platform, not at start-up
        from cryptography.hazmat.primitives.asymmetric import rsa

        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client = WeChatPayClient(
        http,
        api_base=settings.wechatpay_api_base,
        mchid=settings.wechatpay_mchid,
        serial_no=settings.wechatpay_serial_no,
        private_key=private_key,
        platform_keys=platform_keys,
        timeout=settings.http_timeout,
    )
    return WeChatPayGateway(client, settings)
