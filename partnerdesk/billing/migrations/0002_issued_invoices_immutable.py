"""Issued invoices are immutable, in the database itself.

Only the payment state may change, and only while the invoice is open: status
(open → paid or void), paid_at, voided_at, payment_reference. Every other column is
frozen and no invoice can be deleted (emptying the whole database with flush stays
possible, see core/append_only.py). Invoice lines are append-only.
"""

from django.db import migrations

from partnerdesk.core.append_only import make_append_only
from partnerdesk.core.sqlite_backend.base import FLUSHING

FROZEN = [
    "id", "public_id", "number", "kind", "corrects_id", "billed_reseller_id", "billed_customer_id",
    "subscription_id", "reseller_id", "customer_id", "seller_name", "seller_address", "seller_country",
    "seller_vat_id", "seller_bank_name", "seller_iban", "seller_bic", "buyer_name", "buyer_address",
    "buyer_country", "buyer_vat_id", "language", "currency", "subtotal", "discount", "net", "tax_rate",
    "tax", "total", "reverse_charge", "tax_note", "payment_method", "issued_at", "due_at",
]
PAYMENT_STATE = ["status", "paid_at", "voided_at", "payment_reference"]


def _row(prefix: str, columns: list[str]) -> str:
    return "(" + ", ".join(f"{prefix}.{c}" for c in columns) + ")"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"""CREATE OR REPLACE FUNCTION billing_invoice_immutable() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    RAISE EXCEPTION 'issued invoices cannot be deleted'
                    USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                IF {_row("NEW", FROZEN)} IS DISTINCT FROM {_row("OLD", FROZEN)} THEN
                    RAISE EXCEPTION 'issued invoices are immutable; issue a credit note'
                    USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                IF OLD.status <> 'open' AND {_row("NEW", PAYMENT_STATE)} IS DISTINCT FROM {_row("OLD", PAYMENT_STATE)} THEN
                    RAISE EXCEPTION 'a paid or void invoice is final'
                    USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN NEW;
            END; $$ LANGUAGE plpgsql"""
        )
        schema_editor.execute(
            """CREATE TRIGGER billing_invoice_immutable BEFORE UPDATE OR DELETE ON billing_invoice
            FOR EACH ROW EXECUTE FUNCTION billing_invoice_immutable()"""
        )
    elif vendor == "sqlite":
        frozen = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN)
        payment = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in PAYMENT_STATE)
        schema_editor.execute(
            f"""CREATE TRIGGER billing_invoice_frozen BEFORE UPDATE ON billing_invoice
            WHEN {frozen} BEGIN SELECT RAISE(ABORT, 'issued invoices are immutable; issue a credit note'); END"""
        )
        schema_editor.execute(
            f"""CREATE TRIGGER billing_invoice_final BEFORE UPDATE ON billing_invoice
            WHEN OLD.status <> 'open' AND ({payment})
            BEGIN SELECT RAISE(ABORT, 'a paid or void invoice is final'); END"""
        )
        schema_editor.execute(
            f"""CREATE TRIGGER billing_invoice_no_delete BEFORE DELETE ON billing_invoice
            WHEN (SELECT user_version FROM pragma_user_version) != {FLUSHING}
            BEGIN SELECT RAISE(ABORT, 'issued invoices cannot be deleted'); END"""
        )
    else:
        raise NotImplementedError(f"invoice immutability for {vendor}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS billing_invoice_immutable ON billing_invoice")
        schema_editor.execute("DROP FUNCTION IF EXISTS billing_invoice_immutable()")
    else:
        for name in ("billing_invoice_frozen", "billing_invoice_final", "billing_invoice_no_delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [
        migrations.RunPython(forwards, backwards),
        make_append_only("billing_invoiceline"),
    ]
