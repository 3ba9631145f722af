from __future__ import annotations

from pathlib import Path

import pytest

from partnerdesk.customers.tests.factories import make_customer
from partnerdesk.subscriptions.tests.factories import make_subscription

PACKAGE_DIR = Path(__file__).resolve().parents[2]
# The console's catalogue and the apps' own (the invitations pages keep theirs).
CATALOGUES = [
    *PACKAGE_DIR.glob("locale/*/LC_MESSAGES/django.po"),
    *PACKAGE_DIR.glob("*/locale/*/LC_MESSAGES/django.po"),
]


def pytest_configure(config):
    """Compile the translations when they are missing or older than the .po files, as
    ``make install`` does, so a bare ``pytest`` tests the German and Dutch pages too."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in CATALOGUES:
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parts[-3])
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)


@pytest.fixture
def client_in(client, reseller_and_user):
    """A test client signed in as the reseller's owner."""
    client.force_login(reseller_and_user[1])
    return client


@pytest.fixture
def other_subscription(other_actor, annual_plan, now):
    """The second tenant's data: it must never show up."""
    customer = make_customer(other_actor, now=now, name="Geheim Concurrent B.V.")
    return make_subscription(other_actor, annual_plan, now=now, customer=customer, seats=7)


@pytest.fixture
def subscription(actor, annual_plan, now):
    customer = make_customer(actor, now=now, name="Amstel Logistiek B.V.")
    return make_subscription(actor, annual_plan, now=now, customer=customer, seats=3)


@pytest.fixture
def frozen(settings, now):
    """The console's clock (the sandbox clock) set to ``now``; ``frozen(moment)`` moves it."""
    from partnerdesk.core.clock import set_sandbox_now

    settings.SANDBOX = True
    set_sandbox_now(now)
    return set_sandbox_now
