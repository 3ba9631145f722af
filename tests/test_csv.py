"""CSV import and export through the command line."""

from __future__ import annotations

import csv
import io

import pytest

from partnerdesk import cli
from partnerdesk.billing.services import PAYMENT_TERM
from partnerdesk.customers.models import Customer
from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.subscriptions.tests.factories import make_subscription

GOOD_AND_BAD = """company_name,country,contact_email,domain,vat_id
Amstel Logistiek B.V.,NL,it@amstel.example,amstel.example,NL004495445B01
Kaputt GmbH,XX,,,
Rhein Bau GmbH,DE,it@rhein.example,rhein.example,
Falsch GmbH,DE,not-an-email,,
Elbe Medien GmbH,DE,,elbe.example,DE136695975
"""


@pytest.mark.django_db
def test_import_keeps_good_rows_reports_bad_ones_and_reruns_without_duplicates(tmp_path, capsys, reseller):
    path = tmp_path / "customers.csv"
    path.write_text(GOOD_AND_BAD)
    assert cli.main(["import", "customers", str(path), "--reseller", reseller.name]) == 1
    out, err = capsys.readouterr()
    assert "2 created, 0 already there, 3 refused" in out
    assert "line 3: country:" in out and "line 5: contact_email:" in out and "line 6: vat_id:" in out
    assert err.strip() == "partnerdesk import: 3 of 5 rows were refused (listed above)"
    assert sorted(Customer.objects.values_list("company_name", flat=True)) == [
        "Amstel Logistiek B.V.",
        "Rhein Bau GmbH",
    ]

    assert cli.main(["import", "customers", str(path), "--reseller", reseller.name]) == 1
    assert "0 created, 2 already there, 3 refused" in capsys.readouterr().out
    assert Customer.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [("name,land\nx,y\n", "lacks company_name, country"), ("company_name,country,price\n", "Unknown CSV column price")],
    ids=["missing-columns", "unknown-column"],
)
def test_import_refuses_a_bad_header(tmp_path, capsys, reseller, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    assert cli.main(["import", "customers", str(path), "--reseller", reseller.name]) == 1
    assert message in capsys.readouterr().err
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_import_of_a_missing_file_or_reseller(tmp_path, capsys, reseller):
    assert cli.main(["import", "customers", str(tmp_path / "nope.csv"), "--reseller", reseller.name]) == 1
    assert "cannot read" in capsys.readouterr().err
    assert cli.main(["import", "customers", str(tmp_path / "nope.csv"), "--reseller", "Nobody"]) == 1
    assert "no reseller named 'Nobody'" in capsys.readouterr().err


@pytest.mark.django_db
def test_exports_hold_only_the_resellers_rows(tmp_path, capsys, actor, other_actor, annual_plan, now):
    mine = make_subscription(actor, annual_plan, now=now, seats=4)
    theirs = make_subscription(other_actor, annual_plan, now=now)
    make_customer(actor, now=now, name="Ohne Abo GmbH", country="DE")
    assert cli.main(["export", "customers", "--reseller", actor.reseller.name]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sorted(r["company_name"] for r in rows) == ["Isar Kunde GmbH", "Ohne Abo GmbH"]
    out = tmp_path / "subs.csv"
    assert cli.main(["export", "subscriptions", "--reseller", actor.reseller.name, "--output", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert [(r["id"], r["seats"], r["status"]) for r in rows] == [(mine.public_id, "4", "active")]
    assert theirs.public_id not in out.read_text()


@pytest.mark.django_db
def test_invoice_export_holds_only_the_resellers_invoices(tmp_path, actor, other_actor, annual_plan, now):
    mine = make_subscription(actor, annual_plan, now=now, seats=5)
    theirs = make_subscription(other_actor, annual_plan, now=now, seats=2)
    out = tmp_path / "invoices.csv"
    assert cli.main(["export", "invoices", "--reseller", actor.reseller.name, "--output", str(out)]) == 0
    text = out.read_text()
    assert text.splitlines()[0] == (
        "number,issued_at,status,customer,subscription,subtotal,discount,tax,total,currency,due_at,paid_at"
    )
    assert list(csv.DictReader(io.StringIO(text))) == [
        {
            "number": "2026-000001",
            "issued_at": now.isoformat(),
            "status": "open",
            "customer": mine.customer.public_id,
            "subscription": mine.public_id,
            "subtotal": "600.00",
            "discount": "120.00",
            "tax": "91.20",
            "total": "571.20",
            "currency": "EUR",
            "due_at": (now + PAYMENT_TERM).isoformat(),
            "paid_at": "",
        }
    ]
    assert theirs.public_id not in text and theirs.customer.public_id not in text
