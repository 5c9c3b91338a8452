"""Path parameters bounded to their column types at the edge, in the router itself.

A path integer outside its column's range (``/cases/2147483648``) or a path string longer than
its column (an ``out_trade_no`` of 33 characters) names no row; left alone it reaches the
database and fails there (PostgreSQL's int4 overflow, tortoise's length check) as a 500. Each
bound here is a route parameter type: the router refuses the value (``ValueError``), so such a
path answers 404 ``NOT_FOUND`` like any path that names nothing, and the OpenAPI document
carries the bound (``minimum``/``maximum``, ``maxLength``) because the type *is* its schema.

- ``<x:int>``: an id of a 32-bit column (every ``IntField`` primary key), 1 … 2³¹−1
- ``<x:bigid>``: an id of a ``BigIntField`` primary key, 1 … 2⁶³−1
- ``<x:key32>`` / ``<x:key64>``: a key of a 32 / 64-character column (``out_trade_no``,
  ``out_refund_no``, codes, numbers)
"""

from __future__ import annotations

from typing import Any

from sanic import Sanic
from sanic_ext.extensions.openapi.types import Integer, Long, String

INT4_MAX = 2**31 - 1
INT8_MAX = 2**63 - 1
_DIGITS = r"^-?\d+$"
_SEGMENT = r"^[^/]+$"


class _IntParam:
    """A router cast that is also its own OpenAPI schema. (No class annotations here: sanic-ext
    reads a schema's allowed keys from the class annotations it finds first.)"""

    bound = 0

    def __call__(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= self.bound:
            raise ValueError("out of the column's range")
        return number


class RowIdParam(_IntParam, Integer):
    __name__ = "zsb_row_id"  # the router files the cast under this name
    bound = INT4_MAX


class BigIdParam(_IntParam, Long):
    __name__ = "zsb_big_id"
    bound = INT8_MAX


class KeyParam(String):
    def __init__(self, max_length: int) -> None:
        super().__init__(minLength=1, maxLength=max_length)
        self.max_length = max_length
        self.__name__ = f"zsb_key{max_length}"

    def __call__(self, value: str) -> str:
        if not value or len(value) > self.max_length:
            raise ValueError("longer than the column")
        return value


PATTERNS: tuple[tuple[str, Any, str], ...] = (
    ("int", RowIdParam(minimum=1, maximum=INT4_MAX), _DIGITS),
    ("bigid", BigIdParam(minimum=1, maximum=INT8_MAX), _DIGITS),
    ("key32", KeyParam(32), _SEGMENT),
    ("key64", KeyParam(64), _SEGMENT),
)


def install_path_params(app: Sanic) -> None:
    """Before any route is added: routes resolve their parameter types when added."""
    for label, cast, pattern in PATTERNS:
        app.router.register_pattern(label, cast, pattern)
