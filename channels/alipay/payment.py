"""``AlipayGateway``: the core's ``PaymentGateway`` over the Alipay open platform.

Scenes: ``miniprogram`` → ``alipay.trade.create`` (JSAPI_PAY) answering ``{"trade_no"}`` for
``my.tradePay``; ``app`` → the signed ``alipay.trade.app.pay`` order string, no server call.
Notifies are believed only after the RSA2 check over the sorted parameters without ``sign`` and
``sign_type``, and only when addressed to our app_id and seller_id.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

import aiohttp

from app.interfaces import NotifyKind, PayRequest, PayResult, PayState, RefundFacts
from app.kv import KeyValue
from app.settings import Settings

from . import signing
from .amounts import beijing_stamp, fen_to_yuan, parse_beijing, yuan_to_fen
from .bills import parse_bill
from .client import AlipayClient
from .errors import AlipayFinalError, AlipayNotifyRejected, AlipaySignatureError, SubCode

log = logging.getLogger(__name__)

# trade_status → our PayResult.state. WAIT_BUYER_PAY is not notified by default.
_STATES = {
    "WAIT_BUYER_PAY": PayState.pending,
    "TRADE_SUCCESS": PayState.paid,
    "TRADE_FINISHED": PayState.paid,
    "TRADE_CLOSED": PayState.closed,
}


def _state(params: dict[str, Any]) -> PayState:
    status = str(params.get("trade_status", ""))
    if status not in _STATES:
        raise AlipayNotifyRejected(f"unknown trade_status {status!r}", raw=params)
    return _STATES[status]


def _is_refund_notify(params: dict[str, str]) -> bool:
    """Alipay reports a refund with the trade's own notify: ``gmt_refund``, ``refund_fee``
    (the trade's refunded total) and ``out_biz_no`` (our out_request_no) are set, and
    ``trade_status`` stays TRADE_SUCCESS (partial) or becomes TRADE_CLOSED (full)."""
    refunded = params.get("refund_fee") not in (None, "", "0", "0.00")
    return refunded and bool(params.get("gmt_refund") or params.get("out_biz_no"))


def _expiry(when: datetime | None) -> str | None:
    return beijing_stamp(when) if when else None


class AlipayGateway:
    name = "alipay"

    def __init__(self, client: AlipayClient) -> None:
        self.client = client

    async def create(self, req: PayRequest) -> dict[str, Any]:
        amount = fen_to_yuan(req.amount_fen)
        if req.scene == "miniprogram":
            if not req.payer_id:
                raise AlipayFinalError("alipay mini-program payment needs the buyer's id")
            body = await self.client.trade_create(
                req.out_trade_no, amount, req.subject, req.payer_id,
                time_expire=_expiry(req.expires_at),
            )
            return {"trade_no": body["trade_no"], "out_trade_no": req.out_trade_no}
        if req.scene == "app":
            order = self.client.app_pay_order_string(
                req.out_trade_no, amount, req.subject, time_expire=_expiry(req.expires_at)
            )
            return {"order_string": order, "out_trade_no": req.out_trade_no}
        raise AlipayFinalError(f"alipay does not serve the scene {req.scene!r}")

    def parse_notify(self, body: bytes) -> dict[str, str]:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise AlipayNotifyRejected("notify body is not UTF-8") from exc
        return dict(parse_qsl(text, keep_blank_values=True))

    async def verify_notify(self, headers: dict[str, str], body: bytes) -> PayResult:
        params = self.parse_notify(body)
        if not signing.verify_notify(params, self.client.public_key):
            log.warning("alipay notify: signature does not verify (out_trade_no=%s)",
                        params.get("out_trade_no", "")[:64])
            raise AlipaySignatureError("alipay notify signature does not verify", raw=params)
        if params.get("app_id") != self.client.app_id:
            raise AlipayNotifyRejected("alipay notify for another app_id", raw=params)
        if self.client.seller_id and params.get("seller_id") != self.client.seller_id:
            raise AlipayNotifyRejected("alipay notify for another seller_id", raw=params)
        if not params.get("out_trade_no"):
            raise AlipayNotifyRejected("alipay notify without out_trade_no", raw=params)
        try:
            amount = yuan_to_fen(params.get("total_amount", ""))
        except ValueError as exc:
            raise AlipayNotifyRejected("alipay notify with a malformed total_amount",
                                       raw=params) from exc
        state = _state(params)
        raw: dict[str, Any] = {k: v for k, v in params.items() if k != "sign"}
        kind = NotifyKind.payment
        refund: RefundFacts | None = None
        if _is_refund_notify(params):
            # normalised like the other gateway's refund notifies: kind + out_refund_no. The
            # amount is refund_fee, the trade's refunded total so far (not total_amount, the
            # trade's own amount): Alipay names no single refund's amount in this notify.
            state = PayState.refunded
            try:
                refunded = yuan_to_fen(params.get("refund_fee", ""))
            except ValueError as exc:
                raise AlipayNotifyRejected("alipay refund notify with a malformed refund_fee",
                                           raw=params) from exc
            raw.update(out_refund_no=params.get("out_biz_no", ""),
                       refunded_total_fen=refunded, total_fen=amount)
            kind = NotifyKind.refund
            refund = RefundFacts(out_refund_no=str(params.get("out_biz_no") or ""),
                                 refunded_total_fen=refunded)
            amount = refunded
        return PayResult(
            out_trade_no=params["out_trade_no"],
            state=state,
            amount_fen=amount,
            transaction_id=params.get("trade_no"),
            paid_at=parse_beijing(params.get("gmt_payment")),
            raw=raw,
            kind=kind,
            notify_id=params.get("notify_id") or None,
            refund=refund,
        )

    async def query(self, out_trade_no: str) -> PayResult:
        try:
            body = await self.client.trade_query(out_trade_no)
        except AlipayFinalError as exc:
            # An app-pay trade exists at Alipay only once the buyer opened the cashier.
            if exc.sub_code == SubCode.TRADE_NOT_EXIST and exc.signed:
                return PayResult(out_trade_no, PayState.pending, raw={"sub_code": exc.sub_code})
            raise
        if body.get("out_trade_no") != out_trade_no:  # a genuine answer to another question
            raise AlipaySignatureError("alipay trade.query answered for another order", raw=body)
        return PayResult(
            out_trade_no=out_trade_no,
            state=_state(body),
            amount_fen=yuan_to_fen(body["total_amount"]) if body.get("total_amount") else None,
            transaction_id=body.get("trade_no"),
            paid_at=parse_beijing(body.get("send_pay_date")),
            raw=body,
        )

    async def close(self, out_trade_no: str) -> None:
        """Close an unpaid trade. A trade Alipay never saw is closed already; a paid one is
        not closable and raises (``ACQ.TRADE_STATUS_ERROR``) so the caller queries instead."""
        try:
            await self.client.trade_close(out_trade_no)
        except AlipayFinalError as exc:
            if exc.sub_code == SubCode.TRADE_NOT_EXIST and exc.signed:
                return
            raise

    async def refund(
        self, out_trade_no: str, out_refund_no: str, amount_fen: int, total_fen: int, reason: str,
        *, transaction_id: str | None = None,
    ) -> dict[str, Any]:
        """Refund ``amount_fen``; ``out_refund_no`` is Alipay's ``out_request_no``, so asking
        twice moves money once (the second answer has ``fund_change`` "N").

        Code 10000 says the call was taken, not that money moved: only ``fund_change`` "Y" is
        a refund done. Otherwise it is ``processing`` until ``refund_status``
        (``alipay.trade.fastpay.refund.query``) or the refund notify says so."""
        if not 0 < amount_fen <= total_fen:
            raise AlipayFinalError("refund amount must be within the paid total")
        body = await self.client.trade_refund(
            out_trade_no, fen_to_yuan(amount_fen), out_refund_no, reason, trade_no=transaction_id
        )
        return {
            "status": "succeeded" if body.get("fund_change") == "Y" else "processing",
            "out_refund_no": out_refund_no,
            "refund_id": body.get("trade_no"),
            "transaction_id": body.get("trade_no"),
            "fund_change": body.get("fund_change") == "Y",
            "refunded_total_fen": yuan_to_fen(body.get("refund_fee") or "0"),
            "raw": body,
        }

    async def refund_status(self, out_trade_no: str, out_refund_no: str) -> dict[str, Any]:
        body = await self.client.refund_query(out_trade_no, out_refund_no)
        done = body.get("refund_status") == "REFUND_SUCCESS" or bool(body.get("refund_amount"))
        return {
            "status": "succeeded" if done else "not_found",
            "out_refund_no": out_refund_no,
            "amount_fen": yuan_to_fen(body["refund_amount"]) if body.get("refund_amount") else None,
            "raw": body,
        }

    async def download_bill(self, bill_date: str) -> list[dict[str, Any]]:
        """Rows ``{out_trade_no, trade_no, amount_fen, kind: "pay"|"refund", out_refund_no}``."""
        url = await self.client.bill_download_url(bill_date)
        data = await self.client.fetch_bill(url)
        return await asyncio.to_thread(parse_bill, data)  # a day's zip: not on the event loop


def build(settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> AlipayGateway:
    return AlipayGateway(AlipayClient(settings, http))
