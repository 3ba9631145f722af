"""Backup and restore round-trip the demo data, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from partnerdesk import cli, demo
from partnerdesk.audit.models import AuditEvent
from partnerdesk.customers.models import Customer
from partnerdesk.subscriptions.models import Member, Subscription


def snapshot() -> tuple:
    return (
        sorted(Customer.objects.values_list("public_id", "company_name", "status")),
        sorted(Subscription.objects.values_list("public_id", "status", "seats", "assigned", "archived")),
        Member.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_the_demo(tmp_path, capsys):
    demo.load()
    before = snapshot()
    path = tmp_path / "partnerdesk.backup"
    assert cli.main(["backup", "--output", str(path)]) == 0
    assert path.stat().st_size > 0

    Customer.objects.filter(company_name__startswith="Alpen").update(company_name="changed after backup")
    demo.load(reset=True)  # and more changes, to be undone
    Subscription.objects.filter(status="trial").update(seats=999)

    assert cli.main(["restore", str(path)]) == 1  # refuses without --yes
    assert "--yes" in capsys.readouterr().err
    assert cli.main(["restore", str(path), "--yes"]) == 0
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_what_is_not_a_backup(tmp_path, capsys):
    bogus = tmp_path / "bogus.backup"
    bogus.write_text("not a database")
    assert cli.main(["restore", str(bogus), "--yes"]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
