"""Fixtures shared by every app's tests: a vendor, two resellers (tenants) and a catalog.

Every tenant-scoped test gets a second reseller (``other_reseller``) whose data must
never show up: STYLE.md rule 11.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from partnerdesk.accounts.models import Reseller, ResellerMembership, User, Vendor
from partnerdesk.catalog.models import Plan, Product
from partnerdesk.core.actors import Actor

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


def pytest_sessionfinish(session, exitstatus):
    """On CI a skipped test is a failure: it means a real component was missing."""
    if os.environ.get("CI") == "true" and exitstatus == 0:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        skipped = reporter.stats.get("skipped", []) if reporter else []
        if skipped:
            reporter.write_line(f"CI: {len(skipped)} test(s) skipped; on CI that is a failure.", red=True)
            session.exitstatus = 1


def pytest_collection_modifyitems(config, items):
    """Tests of one database backend itself do not apply to a run on the other: deselected
    there (not skipped: nothing is missing). CI runs the suite on both."""
    from django.db import connection

    other = "postgresql_only" if connection.vendor == "sqlite" else "sqlite_only"
    deselected = [item for item in items if item.get_closest_marker(other)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker(other)]


@pytest.fixture(autouse=True)
def _views_cache_cleared():
    """Each test starts with an empty views cache: a flushed test database starts its ids and
    revision numbers again, so a value kept by an earlier test could match a key of this one."""
    from partnerdesk.revisions import cache

    cache.clear()


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def vendor(db) -> Vendor:
    return Vendor.objects.create(
        name="Cloudwerk Software GmbH",
        country="DE",
        vat_id="DE136695976",
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
    )


def make_reseller(
    name: str, *, country: str = "DE", discount: str = "20", parent=None, email: str | None = None, role: str = "owner"
) -> tuple[Reseller, User]:
    reseller = Reseller.objects.create(
        name=name,
        country=country,
        discount_percent=Decimal(discount),
        parent=parent,
        contact_email=email or f"owner@{name.split()[0].lower()}.example",
    )
    user = User.objects.create_user(
        email=email or f"owner@{name.split()[0].lower()}.example", password="x", name=f"{name} owner"
    )
    ResellerMembership.objects.create(user=user, reseller=reseller, role=role)
    return reseller, user


@pytest.fixture
def reseller_and_user(db):
    return make_reseller("Isar Systemhaus GmbH")


@pytest.fixture
def reseller(reseller_and_user) -> Reseller:
    return reseller_and_user[0]


@pytest.fixture
def actor(reseller_and_user) -> Actor:
    reseller, user = reseller_and_user
    return Actor.reseller_user(user, reseller, "owner")


@pytest.fixture
def other_reseller_and_user(db):
    return make_reseller("Polder IT B.V.", country="NL", discount="15")


@pytest.fixture
def other_reseller(other_reseller_and_user) -> Reseller:
    return other_reseller_and_user[0]


@pytest.fixture
def other_actor(other_reseller_and_user) -> Actor:
    reseller, user = other_reseller_and_user
    return Actor.reseller_user(user, reseller, "owner")


@pytest.fixture
def vendor_actor(db) -> Actor:
    return Actor.system()


@pytest.fixture
def product(db) -> Product:
    return Product.objects.create(
        code="axcrypt-business", name="AxCrypt Business", launch_url="https://axcrypt.example/start"
    )


@pytest.fixture
def annual_plan(product) -> Plan:
    return Plan.objects.create(
        product=product, code="axcrypt-business-annual", name="Annual", term_months=12, price_per_seat=Decimal("120.00")
    )


@pytest.fixture
def monthly_plan(product) -> Plan:
    return Plan.objects.create(
        product=product, code="axcrypt-business-monthly", name="Monthly", term_months=1, price_per_seat=Decimal("12.00")
    )


@pytest.fixture
def trial_plan(db) -> Plan:
    product = Product.objects.create(
        code="signatures-m365",
        name="Signatures for Microsoft 365",
        launch_url="https://signatures.example/start?src=pd",
    )
    return Plan.objects.create(
        product=product,
        code="signatures-m365-monthly",
        name="Monthly",
        term_months=1,
        price_per_seat=Decimal("1.80"),
        trial_days=14,
    )


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port; Django sends to it as configured from EMAIL_URL.

    ``smtp_server.inbox.messages`` holds what it received, parsed.
    """
    from config.env import email_settings
    from partnerdesk.notifications.testing import SmtpServer

    server = SmtpServer()
    server.start()
    for name, value in email_settings(server.url).items():
        setattr(settings, name, value)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def inbox(smtp_server):
    return smtp_server.inbox
