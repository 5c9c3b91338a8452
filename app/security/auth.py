"""Route guards: ``@citizen_required`` and ``@staff_required(*roles)``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from sanic_ext import openapi

from app.context import AppRequest
from app.errors import Forbidden, Unauthorized
from app.handler_kit import carry_docs
from app.security.tokens import SubjectKind, decode_access, is_family_revoked
from app.staff import StaffPrincipal


def _bearer(request: AppRequest) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized()
    return token.strip()


async def authenticate(request: AppRequest, kind: SubjectKind) -> dict[str, Any]:
    claims = decode_access(_bearer(request), kind)
    if claims.get("kind") != kind:
        raise Unauthorized("登录凭证无效", code="TOKEN_INVALID")
    if await is_family_revoked(claims.get("fam", ""), request.app.ctx.kv):
        raise Unauthorized("登录已失效，请重新登录", code="TOKEN_REVOKED")
    request.ctx.token_claims = claims
    return claims


def citizen_required(handler: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(handler)
    async def wrapper(request: AppRequest, *args: Any, **kwargs: Any) -> Any:
        claims = await authenticate(request, "citizen")
        request.ctx.person_id = int(claims["sub"])
        return await handler(request, *args, **kwargs)

    return openapi.secured("citizen")(carry_docs(handler, wrapper))


def staff_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(handler: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(handler)
        async def wrapper(request: AppRequest, *args: Any, **kwargs: Any) -> Any:
            claims = await authenticate(request, "staff")
            principal = StaffPrincipal(
                id=int(claims["sub"]),
                roles=tuple(claims.get("roles", ())),
                department_id=int(claims.get("dept", 0)),
            )
            if roles and not principal.has_any(*roles):
                raise Forbidden(fields={"roles": list(roles)})
            request.ctx.staff = principal
            return await handler(request, *args, **kwargs)

        return openapi.secured("staff")(carry_docs(handler, wrapper))

    return decorator
