"""Payment endpoints. Citizen: pay a case's fees, "I paid", my receipts. Staff: order history,
refunds, reconciliation. Business rules live in ``app/payments``."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse

from app.context import AppRequest
from app.errors import UpstreamUnavailable
from app.handler_kit import body, doc, ok, query, returns
from app.interfaces import ProviderError
from app.payments import orders, receipts, refunds, staff
from app.payments.reconcile import reconcile
from app.payments.schemas import (
    CreateOrderIn,
    CreateOrderOut,
    FailedRefundListOut,
    MismatchListOut,
    MismatchOut,
    MismatchQuery,
    OrderListOut,
    OrderOut,
    OrdersQuery,
    ReceiptListOut,
    ReconcileIn,
    ReconcileOut,
    RefundIn,
    RefundOut,
    ResolveIn,
    StaffOrderOut,
)
from app.payments.views import order_view
from app.security.auth import citizen_required, staff_required

citizen = Blueprint("payments", url_prefix="/api/v1/payments")
staff_bp = Blueprint("staff_payments", url_prefix="/api/v1/staff/payments")
bp = Blueprint.group(citizen, staff_bp)
TAG = "payments"
FINANCE = ("reviewer",)  # refunds move money: reviewers and admins only


@citizen.post("/orders")
@doc("Create the payment order for a case's fees; answers the platform's pay parameters", TAG)
@citizen_required
@body(CreateOrderIn)
@returns(CreateOrderOut, status=201)
async def create_order(request: AppRequest) -> HTTPResponse:
    b: CreateOrderIn = request.ctx.body
    answer = await orders.create_order(
        edges=request.app.ctx.edges, settings=request.app.ctx.settings,
        person_id=request.ctx.person_id, case_id=b.case_id, channel=b.channel, scene=b.scene,
        payer_id=b.payer_id, client_ip=request.remote_addr or request.ip,
    )
    return ok(answer, status=201)


@citizen.get("/orders")
@doc("My payment orders of one case", TAG)
@citizen_required
@query(OrdersQuery)
@returns(OrderListOut)
async def list_orders(request: AppRequest) -> HTTPResponse:
    q: OrdersQuery = request.ctx.query
    return ok({"items": await orders.orders_of_case(request.ctx.person_id, q.case_id)})


@citizen.get("/orders/<out_trade_no:key32>")
@doc("One of my payment orders", TAG)
@citizen_required
@returns(OrderOut)
async def read_order(request: AppRequest, out_trade_no: str) -> HTTPResponse:
    return ok(order_view(await orders.get_own_order(request.ctx.person_id, out_trade_no)))


@citizen.post("/orders/<out_trade_no:key32>/confirm")
@doc('"I paid": the server asks the platform and answers the order as it now stands', TAG)
@citizen_required
@returns(OrderOut)
async def confirm(request: AppRequest, out_trade_no: str) -> HTTPResponse:
    return ok(await orders.confirm_paid(edges=request.app.ctx.edges,
                                        person_id=request.ctx.person_id,
                                        out_trade_no=out_trade_no))


@citizen.get("/receipts")
@doc("My electronic receipts (财政电子票据)", TAG)
@citizen_required
@returns(ReceiptListOut)
async def my_receipts(request: AppRequest) -> HTTPResponse:
    return ok({"items": await receipts.receipts_of(request.ctx.person_id)})


@staff_bp.get("/orders/<out_trade_no:key32>")
@doc("An order of my department with its refunds and full history", TAG)
@staff_required("reviewer", "operator", "clerk")
@returns(StaffOrderOut)
async def staff_order(request: AppRequest, out_trade_no: str) -> HTTPResponse:
    return ok(await staff.order_detail(out_trade_no, request.ctx.staff))


@staff_bp.post("/orders/<out_trade_no:key32>/refunds")
@doc("Refund (partly) a paid order of my department; idempotent by out_refund_no", TAG)
@staff_required(*FINANCE)
@body(RefundIn)
@returns(RefundOut, status=201)
async def create_refund(request: AppRequest, out_trade_no: str) -> HTTPResponse:
    b: RefundIn = request.ctx.body
    refund = await refunds.request_refund(
        out_trade_no=out_trade_no, amount_fen=b.amount_fen, reason=b.reason,
        out_refund_no=b.out_refund_no, staff=request.ctx.staff,
    )
    refund = await refunds.submit_refund(request.app.ctx.edges, refund.id)
    return ok(refunds.refund_view(refund), status=201)


@staff_bp.post("/orders/<out_trade_no:key32>/refunds/<out_refund_no:key64>/retry")
@doc("Ask the platform again for a refund that failed (same refund number)", TAG)
@staff_required(*FINANCE)
@returns(RefundOut)
async def retry_refund(request: AppRequest, out_trade_no: str,
                       out_refund_no: str) -> HTTPResponse:
    refund = await refunds.retry_refund(request.app.ctx.edges, out_trade_no=out_trade_no,
                                        out_refund_no=out_refund_no, staff=request.ctx.staff)
    return ok(refunds.refund_view(refund))


@staff_bp.get("/refunds/failed")
@doc("Refunds the platform refused, of my department: to retry or handle by hand", TAG)
@staff_required("reviewer", "operator")
@returns(FailedRefundListOut)
async def failed_refunds(request: AppRequest) -> HTTPResponse:
    return ok({"items": await refunds.failed_refunds(request.ctx.staff)})


@staff_bp.get("/mismatches")
@doc("Reconciliation mismatches (missing on our side, missing on theirs, amount differs)", TAG)
@staff_required("reviewer", "operator")
@query(MismatchQuery)
@returns(MismatchListOut)
async def mismatches(request: AppRequest) -> HTTPResponse:
    q: MismatchQuery = request.ctx.query
    items = await staff.list_mismatches(bill_date=q.bill_date, channel=q.channel,
                                        resolved=q.resolved, staff=request.ctx.staff)
    return ok({"items": items})


@staff_bp.post("/mismatches/<mismatch_id:int>/resolve")
@doc("Mark a mismatch as dealt with, with a note", TAG)
@staff_required("reviewer", "operator")
@body(ResolveIn)
@returns(MismatchOut)
async def resolve(request: AppRequest, mismatch_id: int) -> HTTPResponse:
    b: ResolveIn = request.ctx.body
    return ok(await staff.resolve_mismatch(mismatch_id, staff=request.ctx.staff, note=b.note))


@staff_bp.post("/reconcile")
@doc("Run (or re-run) the reconciliation of one channel and day", TAG)
@staff_required("reviewer", "operator")
@body(ReconcileIn)
@returns(ReconcileOut)
async def run_reconcile(request: AppRequest) -> HTTPResponse:
    b: ReconcileIn = request.ctx.body
    try:
        run = await reconcile(b.channel, b.bill_date, edges=request.app.ctx.edges)
    except ProviderError as exc:  # the run is recorded as failed; the caller may try again
        raise UpstreamUnavailable("支付平台暂时无法提供对账单，请稍后再试") from exc
    return ok(staff.run_view(run))
