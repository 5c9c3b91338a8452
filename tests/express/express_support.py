"""Helpers for the express tests: a case ready to ship, driving the kuaidi100 simulator."""

from __future__ import annotations

import itertools
import time
from typing import Any

import httpx

from models.cases import Case, CaseStatus
from models.catalogue import ServiceItem, ServiceItemVersion
from models.core import OutboxEvent

_seq = itertools.count(1)
RECEIVER = {"name": "张三", "phone": "13800138000", "address": "北京市海淀区中关村大街1号院3号楼"}


def unique(prefix: str) -> str:
    return f"{prefix}{int(time.time() * 1000) % 10**9:09d}{next(_seq):03d}"


async def result_case(
    person_id: int,
    department_id: int,
    *,
    status: CaseStatus | None = None,
    delivery_options: tuple[str, ...] = ("window", "express"),
) -> Case:
    """A case whose result is issued (出件), made directly: the cases flow is tested elsewhere."""
    code = unique("EXP")
    item = await ServiceItem.create(basic_code=code, code=code, department_id=department_id)
    version = await ServiceItemVersion.create(
        item=item,
        version=1,
        name="营业执照变更登记",
        item_type="行政许可",
        legal_limit_days=20,
        promised_limit_days=5,
        online_depth="不见面",
        delivery_options=list(delivery_options),
    )
    return await Case.create(
        number=unique("2026"),
        person_id=person_id,
        item=item,
        item_version=version,
        item_name=version.name,
        department_id=department_id,
        status=status or CaseStatus.result_issued,
    )


async def sim_call(base_url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base_url, timeout=20) as client:
        resp = await client.post(path, json=body)
        resp.raise_for_status()
        return resp.json()


async def outbox(event_type: str, aggregate_id: int | str) -> list[OutboxEvent]:
    return await OutboxEvent.filter(event_type=event_type, aggregate_id=str(aggregate_id))
