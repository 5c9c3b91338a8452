from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
import json
from json import dumps, loads
from tortoise import fields

# the 1–3 material trust scale (1 lowest) becomes A–D: 1 → D, 2 → C, 3 → B
LEGACY = {1: "D", 2: "C", 3: "B"}


def _convert(materials):
    changed = False
    for material in materials or []:
        level = material.get("min_trust_level")
        if isinstance(level, int) and level in LEGACY:
            material["min_trust_level"] = LEGACY[level]
            changed = True
    return changed


async def letters(apps, schema_editor):
    client = schema_editor.client
    _, rows = await client.execute_query("SELECT id, materials FROM service_item_version")
    for row in rows:
        materials = row["materials"]
        if isinstance(materials, str):
            materials = json.loads(materials)
        if _convert(materials):
            placeholder = "$1" if client.capabilities.dialect == "postgres" else "?"
            other = "$2" if client.capabilities.dialect == "postgres" else "?"
            await client.execute_query(
                f"UPDATE service_item_version SET materials = {placeholder} WHERE id = {other}",
                [json.dumps(materials, ensure_ascii=False, separators=(",", ":")), row["id"]],
            )


class Migration(migrations.Migration):
    dependencies = [('catalogue', '0001_initial'), ('core', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ServiceItemVersion',
            name='result_template',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.RunPython(letters, ops.RunPython.noop),
    ]
