"""Async notifies (form POST, RSA2 over sorted params minus sign/sign_type) retried on
Alipay's schedule until the merchant answers exactly ``success``; and the daily bill."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import uuid
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from aiohttp import web

from .state import BEIJING, NOTIFY_SCHEDULE, AlipaySimState, Trade, notify_content, sign, stamp


def _mask(user: str | None) -> str:
    return f"{user[:3]}***{user[-2:]}" if user else ""


def trade_notify_params(state: AlipaySimState, trade: Trade) -> dict[str, str]:
    params = {
        "notify_time": stamp(),
        "notify_type": "trade_status_sync",
        "notify_id": uuid.uuid4().hex,
        "app_id": state.app_id,
        "auth_app_id": state.app_id,
        "charset": "utf-8",
        "version": "1.0",
        "sign_type": "RSA2",
        "trade_no": trade.trade_no,
        "out_trade_no": trade.out_trade_no,
        "buyer_id": trade.buyer_id or "",
        "buyer_open_id": trade.buyer_open_id or "",
        "buyer_logon_id": _mask(trade.buyer_id or trade.buyer_open_id),
        "seller_id": state.seller_id,
        "trade_status": trade.status,
        "total_amount": trade.total_amount,
        "receipt_amount": trade.total_amount,
        "buyer_pay_amount": trade.total_amount,
        "invoice_amount": trade.total_amount,
        "subject": trade.subject,
        "gmt_create": stamp(trade.created_at),
        "fund_bill_list": json.dumps(
            [{"amount": trade.total_amount, "fundChannel": "ALIPAYACCOUNT"}]
        ),
    }
    if trade.paid_at:
        params["gmt_payment"] = stamp(trade.paid_at)
    if trade.refunds:
        last = max(trade.refunds.values(), key=lambda r: r.at)
        params["refund_fee"] = f"{trade.refunded:.2f}"
        params["gmt_refund"] = stamp(last.at)[:19] + ".000"
        params["out_biz_no"] = last.out_request_no
    if trade.status == "TRADE_CLOSED":
        params["gmt_close"] = stamp()
    if state.faults.wrong_amount:
        params["total_amount"] = f"{Decimal(trade.total_amount) + 1:.2f}"
    return {k: v for k, v in params.items() if v != ""}


def schedule_notify(app: web.Application, trade: Trade) -> None:
    state: AlipaySimState = app["state"]
    url = trade.notify_url or "http://127.0.0.1/callbacks/alipay"
    if app.get("zsb_base_url"):  # reach our server wherever the harness put it
        base = urlsplit(app["zsb_base_url"])
        url = urlunsplit(urlsplit(url)._replace(scheme=base.scheme, netloc=base.netloc))
    params = trade_notify_params(state, trade)
    key = state.wrong_key if state.faults.bad_notify_sign else state.platform_key
    params["sign"] = sign(key, notify_content(params))
    for _ in range(1 + state.faults.duplicate_notify):
        task = asyncio.create_task(_deliver(app, url, params))
        state.tasks.add(task)
        task.add_done_callback(state.tasks.discard)


async def _deliver(app: web.Application, url: str, params: dict[str, str]) -> None:
    state: AlipaySimState = app["state"]
    session: aiohttp.ClientSession = app["http"]
    await asyncio.sleep(state.faults.notify_delay)
    for attempt, wait in enumerate(NOTIFY_SCHEDULE, start=1):
        await asyncio.sleep(wait * state.time_scale)
        if params["notify_id"] in state.acknowledged:
            return  # a concurrent copy was acknowledged; Alipay stops retrying
        answer, status = "", 0
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with session.post(url, data=params) as resp:
                status, answer = resp.status, await resp.text()
        state.notifies.append({
            "notify_id": params["notify_id"], "out_trade_no": params["out_trade_no"],
            "trade_status": params["trade_status"], "attempt": attempt, "status": status,
            "answer": answer, "params": params, "at": datetime.now(UTC),
        })
        if answer == "success":
            state.acknowledged.add(params["notify_id"])
            return


# ---------------------------------------------------------------- bill
# Simplified "业务明细" trade bill: a zip holding one GBK CSV (real bills hold a detail and a
# summary file and ~25 columns). Columns kept: 支付宝交易号, 商户订单号, 业务类型 (交易 | 退款),
# 商品名称, 创建时间, 完成时间, 订单金额（元） (negative for refunds), 退款批次号/请求号.

BILL_HEADER = ",".join([
    "支付宝交易号", "商户订单号", "业务类型", "商品名称", "创建时间", "完成时间", "订单金额（元）",
    "退款批次号/请求号",
])


def bill_zip(state: AlipaySimState, bill_date: str) -> bytes:
    day = date.fromisoformat(bill_date)
    rows = []
    for t in state.trades.values():
        if t.paid_at and t.paid_at.astimezone(BEIJING).date() == day:
            rows.append([t.trade_no + "\t", t.out_trade_no + "\t", "交易", t.subject,
                         stamp(t.created_at), stamp(t.paid_at), t.total_amount, ""])
        for r in t.refunds.values():
            if r.at.astimezone(BEIJING).date() == day:
                rows.append([t.trade_no + "\t", t.out_trade_no + "\t", "退款", t.subject,
                             stamp(t.created_at), stamp(r.at), f"-{r.amount}",
                             r.out_request_no + "\t"])
    lines = [
        "#支付宝业务明细查询",
        f"#账号：[{state.seller_id}0156]",
        f"#起始日期：[{day:%Y年%m月%d日} 00:00:00]",
        "#-----------------------------------------业务明细列表----------------------------------------",
        BILL_HEADER,
        *(",".join(r) for r in rows),
        "#-----------------------------------------业务明细列表结束------------------------------------",
        f"#交易合计：{len(rows)}笔",
        f"#导出时间：[{stamp()}]",
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        name = f"{state.seller_id}0156_{day:%Y%m%d}_业务明细.csv"
        zf.writestr(name, ("\r\n".join(lines) + "\r\n").encode("gbk"))
    return buf.getvalue()


def to_jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
