"""A row a staff member may see, or 404: under the one scope rule
(``StaffPrincipal.sees_department``, handed in as ``sees``) another department's row answers
as if it did not exist, so not even its existence shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tortoise.models import Model

from app.errors import NotFound

Sees = Callable[[int | None], bool]


M = TypeVar("M", bound=Model)


async def visible(model: type[M], row_id: int, sees: Sees, message: str, code: str) -> M:
    row = await model.get_or_none(id=row_id)
    if row is None or not sees(getattr(row, "department_id", None)):
        raise NotFound(message, code=code)
    return row
