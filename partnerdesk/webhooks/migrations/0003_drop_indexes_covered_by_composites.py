import django.db.models.deletion
from django.db import migrations, models


# Each dropped index is the first column of a composite index. Only the index goes:
# an AlterField would make SQLite rebuild the table, losing its append-only triggers.


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("webhooks", "0002_events_append_only"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="event",
                    name="reseller",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.reseller",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS webhooks_event_reseller_id_8ec8a819", reverse_sql=migrations.RunSQL.noop
                ),
            ],
        ),
    ]
