from tortoise import migrations
from tortoise.migrations import operations as ops

# 补正 deadlines were written in Beijing time (+08:00). SQLite keeps times as text and compares
# them as text, so they are rewritten in UTC like every other stored time and query bound
# (app.clock.utc); PostgreSQL stores instants and needs nothing.


async def to_utc(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect != "sqlite":
        return
    await client.execute_script(
        "UPDATE supplement_notice SET deadline = strftime('%Y-%m-%d %H:%M:%S', deadline)"
        " || '+00:00' WHERE deadline LIKE '%+08:00'")


class Migration(migrations.Migration):
    dependencies = [('cases', '0005_keyed_case_chain')]

    initial = False

    operations = [
        ops.RunPython(to_utc, ops.RunPython.noop),
    ]
