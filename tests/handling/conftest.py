"""A department team for the workbench tests, and the case steps they share."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.cases.conftest import filed_case, make_item


@pytest.fixture(scope="module")
async def team(staff: Any) -> dict[str, Any]:
    dept = f"W{uuid.uuid4().hex[:6]}"
    other = f"X{uuid.uuid4().hex[:6]}"
    return {
        "clerk": await staff(roles=["clerk"], department=dept),
        "clerk2": await staff(roles=["clerk"], department=dept),
        "reviewer": await staff(roles=["reviewer"], department=dept),
        "approver": await staff(roles=["approver"], department=dept),
        "operator": await staff(roles=["operator"], department=dept),
        "admin": await staff(roles=["admin"], department=dept),
        "outsider": await staff(roles=["clerk", "reviewer"], department=other),
        "outsider_admin": await staff(roles=["admin"], department=other),
    }


async def new_case(api: Any, citizen: Any, team: dict[str, Any], **item: Any) -> dict[str, Any]:
    me = await citizen()
    made = await make_item(team["clerk"].department_id, **item)
    case = await filed_case(api, me.headers, made)
    return {"me": me, "item": made, "case": case, "id": case["id"]}


async def act(api: Any, who: Any, path: str, body: Any = None) -> Any:
    return await api.post(f"/api/v1/staff/{path}", headers=who.headers,
                          json=body if body is not None else {})
