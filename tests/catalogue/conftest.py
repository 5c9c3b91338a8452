"""Catalogue fixtures: the demo catalogue loaded once per run, and guide payloads."""

from __future__ import annotations

import uuid
from typing import Any

import pytest


@pytest.fixture(scope="session")
async def demo_catalogue(server: Any) -> Any:
    """The demo catalogue from ``data/catalogue.json``, published (idempotent)."""
    from app.catalogue.seed import load, seed

    await seed()
    await server.app.ctx.catalogue.bump()
    return load()


def new_code(prefix: str = "T") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def guide(name: str = "测试事项办理", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "item_type": "公共服务",
        "legal_basis": "《测试条例》第一条",
        "conditions": "本市居民。",
        "materials": [
            {
                "code": "M01",
                "name": "申请人居民身份证",
                "min_trust_level": 2,
                "elicence_type": "居民身份证",
            }
        ],
        "steps": [{"name": "申请", "description": "在线提交"}],
        "special_stages": [{"name": "公示", "days": 7, "counts_toward_limit": False}],
        "legal_limit_days": 20,
        "promised_limit_days": 5,
        "fees": [
            {
                "name": "工本费",
                "amount_fen": 1000,
                "nontax_code": "103040100199",
                "collecting_unit_code": "330100GA001",
            }
        ],
        "online_depth": "不见面",
        "delivery_options": ["express", "window"],
        "required_realname_level": 2,
        "channels": ["app", "wechat"],
        "themes": ["测试主题"],
        "keywords": ["测试俗称"],
        "form_schema": {"fields": [{"name": "reason", "label": "申请理由", "type": "textarea"}]},
        "faq": [{"q": "收费吗？", "a": "收取工本费10元。"}],
    }
    data.update(overrides)
    return data
