from django.db import migrations

from partnerdesk.revisions import triggers

TABLES = ["subscriptions_seatledgerentry"]


def create_triggers(apps, schema_editor):
    for sql in triggers.create(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    for sql in triggers.drop(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("revisions", "0001_initial"), ("subscriptions", "0003_sub_reseller_all_newest")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
