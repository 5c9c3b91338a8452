"""What a case costs: the fee lines of its item version, plus postage when the result goes by
courier (快递送达) and the item charges it (``postage_fen``)."""

from __future__ import annotations

from typing import Any

from models.catalogue import ServiceItemVersion

POSTAGE = "邮寄费"


def fee_lines(version: ServiceItemVersion, delivery: str | None) -> list[dict[str, Any]]:
    lines = []
    for fee in version.fees or []:
        amount = int(fee.get("amount_fen") or 0)
        if amount > 0:
            lines.append({
                "name": str(fee.get("name") or "办事费用")[:128],
                "amount_fen": amount,
                "nontax_code": str(fee.get("nontax_code") or ""),
                "collecting_unit_code": str(fee.get("collecting_unit_code") or ""),
            })
    if delivery == "express" and (version.postage_fen or 0) > 0:
        lines.append({"name": POSTAGE, "amount_fen": int(version.postage_fen),
                      "nontax_code": "", "collecting_unit_code": ""})
    return lines


def fee_terms(version: ServiceItemVersion, delivery: str | None) -> dict[str, Any]:
    """A case's ``fee_total_fen`` and ``fee_stage`` (when the fees fall due; none if free)."""
    total = sum(line["amount_fen"] for line in fee_lines(version, delivery))
    return {"fee_total_fen": total, "fee_stage": version.fee_timing if total else None}
