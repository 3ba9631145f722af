import django.db.models.deletion
from django.db import migrations, models


# Each dropped index is the first column of a composite index. Only the index goes:
# an AlterField would make SQLite rebuild the table, losing its append-only triggers.


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("billing", "0004_trial_ending_reminder"),
        ("customers", "0003_search_trigram_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="invoice",
                    name="billed_customer",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="invoices",
                        to="customers.customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="invoice",
                    name="billed_reseller",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="invoices",
                        to="accounts.reseller",
                    ),
                ),
                migrations.AlterField(
                    model_name="invoiceline",
                    name="invoice",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lines",
                        to="billing.invoice",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS billing_invoice_billed_customer_id_b7dbbc3a",
                    reverse_sql=migrations.RunSQL.noop,
                ),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS billing_invoice_billed_reseller_id_29819c09",
                    reverse_sql=migrations.RunSQL.noop,
                ),
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS billing_invoiceline_invoice_id_ff507e12", reverse_sql=migrations.RunSQL.noop
                ),
            ],
        ),
    ]
