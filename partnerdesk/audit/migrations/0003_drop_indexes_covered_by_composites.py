import django.db.models.deletion
from django.db import migrations, models


# Each dropped index is the first column of a composite index. Only the index goes:
# an AlterField would make SQLite rebuild the table, losing its append-only triggers.


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("audit", "0002_audit_append_only"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="reseller",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.reseller",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS audit_auditevent_reseller_id_689ee9c7", reverse_sql=migrations.RunSQL.noop
                ),
            ],
        ),
    ]
