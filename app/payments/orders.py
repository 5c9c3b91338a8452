"""Creating an order for a case's fees, answering pay parameters, and "I paid".

The amount comes from the catalogue version the case was filed under; the client never sends
one. The order is written first (short transaction), then the platform is asked, then the
answer is stored: no transaction is held across the platform call.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from tortoise.transactions import in_transaction

from app import clock
from app.catalogue.fees import fee_lines
from app.edges import Edges
from app.errors import BadRequest, Conflict, NotFound, UpstreamUnavailable
from app.interfaces import PayRequest, PayState, ProviderError
from app.payments.events import SYSTEM, PayActor, record_event
from app.payments.outcomes import Outcome
from app.payments.receipts import issue_receipts
from app.payments.settle import apply_result, close_locked
from app.payments.views import order_view
from app.reforms import bundle_pay
from models.cases import Case, CaseStatus
from models.catalogue import ServiceItemVersion
from models.identity import ChannelAccount
from models.payments import OrderStatus, PaymentOrder, PaymentOrderItem

log = logging.getLogger(__name__)

# h5: WeChat Pay in a phone browser outside WeChat (the cashier at h5_url)
SCENES = {"wechatpay": ("jsapi", "app", "h5"), "alipay": ("miniprogram", "app")}


def new_out_trade_no() -> str:
    """``ZSB`` + Beijing time to the second + 10 random hex digits: 27 characters."""
    return "ZSB" + clock.local(clock.now()).strftime("%Y%m%d%H%M%S") + secrets.token_hex(5).upper()


async def create_order(
    *, edges: Edges, settings: Any, person_id: int, case_id: int, channel: str, scene: str,
    payer_id: str | None, client_ip: str | None = None,
) -> dict[str, Any]:
    if scene not in SCENES.get(channel, ()):
        raise BadRequest("不支持的支付方式", code="PAYMENT_SCENE_UNSUPPORTED",
                         fields={"scene": "该渠道不支持此支付场景"})
    if scene in ("jsapi", "miniprogram") and not payer_id:
        payer_id = await bound_payer(person_id, channel)
    if scene in ("jsapi", "miniprogram") and not payer_id:
        raise BadRequest("缺少付款人标识", code="PAYER_REQUIRED",
                         fields={"payer_id": "请提供付款人标识"})
    now = clock.now()
    to_close: list[PaymentOrder] = []
    reuse: PaymentOrder | None = None
    async with in_transaction() as conn:
        case = await Case.select_for_update().using_db(conn).get_or_none(id=case_id)
        if case is None or case.person_id != person_id:
            raise NotFound("办件不存在", code="CASE_NOT_FOUND")
        if await PaymentOrder.filter(
            case_id=case.id, status=OrderStatus.paid, anomaly__isnull=True
        ).using_db(conn).exists():
            raise Conflict("该办件费用已缴纳", code="ALREADY_PAID")
        if case.status != CaseStatus.fee_due:
            raise Conflict("办件当前无需缴费", code="NO_FEE_DUE")
        pending = await PaymentOrder.filter(case_id=case.id, status=OrderStatus.pending).using_db(
            conn
        )
        for order in pending:
            same = (order.channel, order.scene, order.payer_id) == (channel, scene, payer_id)
            if (reuse is None and same and order.expires_at > now + timedelta(minutes=2)
                    and order.pay_params):
                reuse = order
                continue
            await close_locked(order, actor=PayActor("citizen", str(person_id)),
                               reason="改用其他方式支付", conn=conn)
            to_close.append(order)
        if reuse is None:
            version = await ServiceItemVersion.get(id=case.item_version_id, using_db=conn)
            # a 一件事 member's order carries every member's fees due with it (one payment)
            lines = await bundle_pay.order_lines(case, conn) or fee_lines(version, case.delivery)
            total = sum(line["amount_fen"] for line in lines)
            if total <= 0:
                raise Conflict("该事项无需缴费", code="NO_FEE_DUE")
            order = await PaymentOrder.create(
                out_trade_no=new_out_trade_no(), case_id=case.id, person_id=person_id,
                channel=channel, scene=scene, subject=f"{case.item_name}-费用"[:128],
                amount_fen=total, payer_id=payer_id,
                expires_at=now + timedelta(minutes=settings.payment_expiry_minutes),
                using_db=conn,
            )
            for line in lines:
                await PaymentOrderItem.create(order_id=order.id, **line, using_db=conn)
            await record_event(order, "pending", frm="", actor=PayActor("citizen", str(person_id)),
                               reason="创建缴费订单", data={"amount_fen": total}, conn=conn)
    # the orders replaced above are closed at the platform too, on either path
    for old in to_close:
        await close_at_platform(edges, old)
    if reuse is not None:
        return {"order": order_view(reuse), "pay": reuse.pay_params}
    req = PayRequest(order.out_trade_no, order.amount_fen, order.subject, scene,
                     payer_id=payer_id, expires_at=order.expires_at, client_ip=client_ip)
    try:
        pay = await edges.payment(channel).create(req)
    except ProviderError as exc:
        log.warning("prepay failed for %s: %s", order.out_trade_no, exc)
        async with in_transaction() as conn:
            locked = await PaymentOrder.select_for_update().using_db(conn).get(id=order.id)
            if locked.status is OrderStatus.pending:
                await close_locked(locked, actor=SYSTEM, reason="下单失败", conn=conn)
        if exc.retryable:
            raise UpstreamUnavailable("支付平台暂时不可用，请稍后再试") from exc
        raise BadRequest("支付平台拒绝了该订单", code="PAYMENT_REJECTED") from exc
    await PaymentOrder.filter(id=order.id).update(pay_params=pay)
    return {"order": order_view(order), "pay": pay}


async def bound_payer(person_id: int, channel: str) -> str | None:
    """The payer's openid / Alipay user id from the account the person logged in with."""
    login_channel = "wechat" if channel == "wechatpay" else "alipay"
    account = await ChannelAccount.filter(person_id=person_id, channel=login_channel).order_by(
        "-last_login_at"
    ).first()
    return account.subject if account else None


async def close_at_platform(edges: Edges, order: PaymentOrder) -> None:
    """Best effort: an order the platform still holds open is closed by the expiry job later."""
    try:
        await edges.payment(order.channel).close(order.out_trade_no)
    except ProviderError as exc:
        log.info("close at platform failed for %s: %s", order.out_trade_no, exc)


async def get_own_order(person_id: int, out_trade_no: str) -> PaymentOrder:
    order = await PaymentOrder.get_or_none(out_trade_no=out_trade_no)
    if order is None or order.person_id != person_id:
        raise NotFound("订单不存在", code="ORDER_NOT_FOUND")
    return order


async def confirm_paid(*, edges: Edges, person_id: int, out_trade_no: str) -> dict[str, Any]:
    """The client says it paid: ask the platform instead of believing it."""
    order = await get_own_order(person_id, out_trade_no)
    if order.status is OrderStatus.pending:
        try:
            result = await edges.payment(order.channel).query(order.out_trade_no)
        except ProviderError as exc:
            raise UpstreamUnavailable("暂时无法确认支付结果，请稍后再试") from exc
        if result.state is PayState.paid:
            settled = await apply_result(result, channel=order.channel,
                                         actor=PayActor("platform", order.channel))
            if settled.outcome is Outcome.applied:  # the citizen is looking: no waiting for a batch
                await issue_receipts([order.id])
        order = await PaymentOrder.get(id=order.id)
    return order_view(order)


async def orders_of_case(person_id: int, case_id: int) -> list[dict[str, Any]]:
    orders = await PaymentOrder.filter(person_id=person_id, case_id=case_id).order_by("id")
    return [order_view(o) for o in orders]
