"""``python -m app seed-demo [path]``: load departments and service items from the data file
(``data/catalogue.json``), idempotently. An item whose guide in the file differs from its latest
version gets a new version; every item in the file ends up published at its latest version."""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from app import clock
from app.catalogue.schemas import DataFile, ItemCreate
from app.catalogue.snapshot import GUIDE_FIELDS
from models.catalogue import ServiceItem, ServiceItemVersion
from models.core import Department

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "catalogue.json"


@dataclass
class SeedResult:
    departments: int = 0
    created: int = 0
    new_versions: int = 0
    unchanged: int = 0


def load(path: Path = DEFAULT_PATH) -> DataFile:
    return DataFile.model_validate(json.loads(path.read_text(encoding="utf-8")))


def _fields(item: ItemCreate) -> dict[str, Any]:
    data = item.model_dump(mode="json")
    for material in data["materials"]:  # absent reform options stay absent: versions unchanged
        for key in ("pledge", "tolerance"):
            if material.get(key) is None:
                material.pop(key, None)
    return {name: data[name] for name in GUIDE_FIELDS}


async def _seed_item(item: ItemCreate, dept: Department, result: SeedResult) -> None:
    fields = _fields(item)
    async with in_transaction():
        row, created = await ServiceItem.get_or_create(
            code=item.code, defaults={"basic_code": item.basic_code, "department_id": dept.id}
        )
        latest = await ServiceItemVersion.filter(item_id=row.id).order_by("-version").first()
        if latest is not None and all(getattr(latest, k) == v for k, v in fields.items()):
            result.unchanged += 1
            version = latest
        else:
            number = latest.version + 1 if latest else 1
            version = await ServiceItemVersion.create(item_id=row.id, version=number, **fields)
            if created:
                result.created += 1
            else:
                result.new_versions += 1
        if not row.published or row.published_version_id != version.id:
            await ServiceItem.filter(id=row.id).update(
                published=True, published_version_id=version.id, published_at=clock.now()
            )


async def seed(path: Path = DEFAULT_PATH) -> SeedResult:
    """Load the data file into an initialized database (no cache bump: see ``main``)."""
    data = load(path)
    result = SeedResult()
    depts: dict[str, Department] = {}
    for d in data.departments:
        dept, _ = await Department.update_or_create(
            code=d.code,
            defaults={
                "name": d.name,
                "region_code": d.region_code,
                "phone": d.phone,
                "address": d.address,
            },
        )
        depts[d.code] = dept
        result.departments += 1
    for item in data.items:
        if item.department not in depts:
            raise ValueError(f"item {item.code}: unknown department {item.department!r}")
        await _seed_item(item, depts[item.department], result)
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app seed-demo")
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    args = parser.parse_args(argv)

    async def run() -> SeedResult:
        from app.certificates.demo import seed_certificate
        from app.context import opened
        from app.ratings import demo

        async with opened() as ctx:
            result = await seed(args.path)
            await ctx.catalogue.bump()  # running servers reload the catalogue within a second
            from app.reforms import bundles

            bundled = await bundles.seed()  # 一件事 over the items just loaded
            print(f"bundles with a new version: {bundled}")
            certificate = await seed_certificate()
            if certificate is not None:
                base = ctx.settings.public_base_url.rstrip("/")
                print(f"demo certificate {certificate.number}: {base}/verify/{certificate.code}")
            feedback = await demo.seed()  # rated cases, a 整改 in progress, tickets
        print(f"demo cases: {feedback.cases}, ratings: {feedback.ratings}, "
              f"tickets: {feedback.tickets}")
        return result

    r = asyncio.run(run())
    print(
        f"departments: {r.departments}; items created: {r.created}, "
        f"new versions: {r.new_versions}, unchanged: {r.unchanged}"
    )
    return 0
