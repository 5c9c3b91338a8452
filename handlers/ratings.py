"""Citizen 好差评 endpoints: the evaluation content, rating a case (after 办结) or an answered
ticket, changing it once or re-rating after a 整改 reply, and 我的评价. Someone else's case or
ticket answers 404."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse

from app.context import AppRequest
from app.handler_kit import body, doc, ok, query, returns, row_id
from app.ratings import content, service, views
from app.ratings.schemas import (
    ContentOut,
    ContentQuery,
    PageQuery,
    RatingIn,
    RatingListOut,
    RatingOut,
)
from app.security.auth import citizen_required
from models.ratings import RatedKind, Rating, Rectification

bp = Blueprint("ratings")
TAG = "ratings"
CASE = "/api/v1/cases/<case_id:int>/rating"
TICKET = "/api/v1/tickets/<ticket_id:int>/rating"


def _input(request: AppRequest) -> service.RatingInput:
    b: RatingIn = request.ctx.body
    channel = b.channel or request.ctx.token_claims.get("channel") or "app"
    return service.RatingInput(b.level, b.tags, b.comment, channel)


async def _answer(rating: Rating, status: int = 200) -> HTTPResponse:
    fix = await Rectification.get_or_none(rating_id=rating.id)
    return ok(views.for_citizen(rating, fix), status=status)


def _case(case_id: int) -> int:
    return row_id(case_id, "办件不存在", "CASE_NOT_FOUND")


def _ticket(ticket_id: int) -> int:
    return row_id(ticket_id, "工单不存在", "TICKET_NOT_FOUND")


@bp.get("/api/v1/ratings/content")
@doc("The evaluation content: five levels and the tags each offers (GB/T 39735-2020)", TAG)
@query(ContentQuery)
@returns(ContentOut)
async def evaluation_content(request: AppRequest) -> HTTPResponse:
    return ok(content.describe(request.ctx.query.channel))


@bp.post(CASE)
@doc("Rate my case after 办结 (once; a 差评 opens a 整改 for the department)", TAG)
@citizen_required
@body(RatingIn)
@returns(RatingOut, status=201)
async def rate_case(request: AppRequest, case_id: int) -> HTTPResponse:
    rating = await service.rate(request.ctx.person_id, RatedKind.case, _case(case_id),
                                _input(request))
    return await _answer(rating, 201)


@bp.put(CASE)
@doc("Change my rating once within the window, or re-rate (追评) after the 整改 reply", TAG)
@citizen_required
@body(RatingIn)
@returns(RatingOut)
async def revise_case(request: AppRequest, case_id: int) -> HTTPResponse:
    rating = await service.revise(request.ctx.person_id, RatedKind.case, _case(case_id),
                                  _input(request))
    return await _answer(rating)


@bp.get(CASE)
@doc("My rating of my case, with the department's 整改 reply", TAG)
@citizen_required
@returns(RatingOut)
async def read_case_rating(request: AppRequest, case_id: int) -> HTTPResponse:
    return await _answer(await service.mine(request.ctx.person_id, RatedKind.case,
                                            _case(case_id)))


@bp.post(TICKET)
@doc("Rate my ticket once it is answered", TAG)
@citizen_required
@body(RatingIn)
@returns(RatingOut, status=201)
async def rate_ticket(request: AppRequest, ticket_id: int) -> HTTPResponse:
    rating = await service.rate(request.ctx.person_id, RatedKind.ticket, _ticket(ticket_id),
                                _input(request))
    return await _answer(rating, 201)


@bp.put(TICKET)
@doc("Change my ticket rating once, or re-rate after the 整改 reply", TAG)
@citizen_required
@body(RatingIn)
@returns(RatingOut)
async def revise_ticket(request: AppRequest, ticket_id: int) -> HTTPResponse:
    rating = await service.revise(request.ctx.person_id, RatedKind.ticket, _ticket(ticket_id),
                                  _input(request))
    return await _answer(rating)


@bp.get(TICKET)
@doc("My rating of my ticket", TAG)
@citizen_required
@returns(RatingOut)
async def read_ticket_rating(request: AppRequest, ticket_id: int) -> HTTPResponse:
    return await _answer(await service.mine(request.ctx.person_id, RatedKind.ticket,
                                            _ticket(ticket_id)))


@bp.get("/api/v1/me/ratings")
@doc("我的评价: every rating I gave, newest first", "user centre")
@citizen_required
@query(PageQuery)
@returns(RatingListOut)
async def my_ratings(request: AppRequest) -> HTTPResponse:
    q: PageQuery = request.ctx.query
    rows, total = await service.list_mine(request.ctx.person_id, limit=q.limit, offset=q.offset)
    items = [views.for_citizen(r, fix, case=r.case, ticket=r.ticket) for r, fix in rows]
    return ok({"items": items, "total": total})
