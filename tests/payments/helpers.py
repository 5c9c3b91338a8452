"""Building a case with fees due, and driving the WeChat Pay simulator as a payer would."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from models.cases import Case, CaseStatus
from models.catalogue import ServiceItem, ServiceItemVersion
from models.core import Department
from models.payments import PaymentOrder

FEES = [
    {"name": "居住证工本费", "amount_fen": 1000, "nontax_code": "103040100",
     "collecting_unit_code": "330100001"},
    {"name": "邮寄费", "amount_fen": 500, "nontax_code": "103040199",
     "collecting_unit_code": "330100001"},
]
TOTAL = 1500


async def fee_due_case(person_id: int, *, fee_stage: str = "approval",
                       fees: list[dict[str, Any]] | None = None) -> Case:
    """A case waiting for its fees, made directly: the case flow itself is tested elsewhere."""
    dept, _ = await Department.get_or_create(code="PAYT", defaults={"name": "测试市公安局"})
    tag = uuid.uuid4().hex[:10]
    item = await ServiceItem.create(basic_code=f"B{tag}", code=f"PAY{tag}", department=dept)
    version = await ServiceItemVersion.create(
        item=item, version=1, name="居住证办理", item_type="公共服务", legal_limit_days=10,
        promised_limit_days=5, online_depth="不见面", fees=FEES if fees is None else fees,
        fee_timing=fee_stage,
    )
    return await Case.create(
        number=f"T{tag}", person_id=person_id, item=item, item_version=version,
        item_name="居住证办理", department=dept, status=CaseStatus.fee_due, fee_stage=fee_stage,
        fee_total_fen=TOTAL,
    )


async def create_order(api: httpx.AsyncClient, headers: dict[str, str], case_id: int,
                       channel: str = "wechatpay", scene: str = "jsapi",
                       payer_id: str | None = "oPayerOpenid") -> dict[str, Any]:
    body: dict[str, Any] = {"case_id": case_id, "channel": channel, "scene": scene}
    if payer_id:
        body["payer_id"] = payer_id
    r = await api.post("/api/v1/payments/orders", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def sim(base: str, path: str, **body: Any) -> Any:
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        r = await client.post(f"/_sim/{path}", json=body)
        assert r.status_code == 200, r.text
        return r.json()


async def wait_for(predicate: Any, *, attempts: int = 300) -> None:
    """Poll an async predicate every 20 ms (the simulators work in their own tasks)."""
    for _ in range(attempts):
        if await predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def order_status(out_trade_no: str) -> str:
    return str((await PaymentOrder.get(out_trade_no=out_trade_no)).status)
