"""``seed-demo``: idempotent, and a changed guide in the data file becomes a new version."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from app.catalogue.seed import seed
from tests.catalogue.conftest import guide, new_code


async def test_seeding_again_changes_nothing(demo_catalogue: Any) -> None:
    result = await seed()
    assert result.created == 0 and result.new_versions == 0
    assert result.unchanged == len(demo_catalogue.items)


async def test_changed_guide_becomes_a_new_published_version(server: Any, tmp_path: Path) -> None:
    from app.catalogue.service import published_version

    dept = f"S{uuid.uuid4().hex[:8].upper()}"
    code = new_code("SEED")
    item = {"code": code, "basic_code": "000199000001", "department": dept, **guide("种子事项")}
    path = tmp_path / "catalogue.json"
    data = {"departments": [{"code": dept, "name": "测试种子部门"}], "items": [item]}
    path.write_text(json.dumps(data, ensure_ascii=False))
    first = await seed(path)
    assert first.created == 1
    v1 = await published_version(code)

    item["name"] = "种子事项（修订）"
    path.write_text(json.dumps(data, ensure_ascii=False))
    second = await seed(path)
    assert second.new_versions == 1 and second.created == 0
    v2 = await published_version(code)
    assert (v1.version, v2.version) == (1, 2) and v2.name == "种子事项（修订）"
