"""The console in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium).

Signs in through the real login form, creates a customer subscription with a customer
admin, adds a license with the prorated quote, assigns members up to the limit, downloads
the invoice PDF, cancels, finds a cancelled trial in the archive and switches to German.
Screenshots of the main pages go to artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings

from partnerdesk.subscriptions.models import Subscription

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture
def browser_page(live_server, monkeypatch):
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # are still plain synchronous code, which Django would otherwise refuse.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="en-US")
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on(
            "console",
            lambda message: (
                errors.append(f"{page.url}: {message.text[:60]} {message.location}")
                if message.type == "error"
                else None
            ),
        )
        page.base = live_server.url
        page.errors = errors
        yield page
        context.close()
        browser.close()
        # The test's own queries ran while Playwright's loop was active, on a connection
        # of their own: close it, or it would outlive the test database (PostgreSQL).
        connections.close_all()


def shot(page, name: str) -> None:
    # caret="initial": hiding the caret would inject a <style> the page's CSP rightly refuses.
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, caret="initial")


def test_reseller_flow_in_the_browser(browser_page, vendor, reseller_and_user, annual_plan, trial_plan):
    from playwright.sync_api import expect

    page = browser_page
    _, user = reseller_and_user
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    # Sign in through the real form.
    page.goto(page.base + "/console/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    shot(page, "01-login")
    page.get_by_label(re.compile("e-?mail", re.I)).first.fill(user.email)
    page.get_by_label(re.compile("password", re.I)).first.fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page.get_by_role("heading", name="Customer subscriptions")).to_be_visible()

    # New customer subscription (seed 000), with "Can customers manage?" revealing the contact.
    page.get_by_role("link", name="New customer subscription").first.click()
    expect(page.get_by_label("Customer contact name")).to_be_hidden()
    page.get_by_label("Customer company name").fill("Kanal Druckerei GmbH")
    page.get_by_label("Product").select_option("axcrypt-business")
    page.get_by_label("12 months").check()
    page.get_by_label("Number of users").fill("2")
    page.get_by_label("Can customers manage?").check()
    expect(page.get_by_label("Customer contact name")).to_be_visible()
    page.get_by_label("Customer contact name").fill("Lena Weber")
    page.get_by_label("Customer e-mail address").fill("lena@kanal.example")
    # The live quote (htmx): 2 x 120.00, 20 % discount, 19 % VAT = 228.48.
    expect(page.locator("#quote")).to_contain_text("€228.48")
    shot(page, "02-new-subscription")
    page.get_by_role("button", name="Continue to the price").click()
    expect(page.get_by_role("heading", name="Confirm the new subscription")).to_be_visible()
    expect(page.locator("#quote")).to_contain_text("€228.48")
    shot(page, "03-confirm")
    page.get_by_role("button", name="Confirm and create").click()
    expect(page.get_by_text("The subscription for Kanal Druckerei GmbH was created.")).to_be_visible()
    sub = Subscription.objects.get(customer__company_name="Kanal Druckerei GmbH")
    expect(page.locator("#admins")).to_contain_text("lena@kanal.example")

    # Licenses: + shows the prorated quote (12 months left), then "Order now".
    page.get_by_role("button", name="One license more").click()
    expect(page.locator("#quote")).to_contain_text("€114.24")  # 120.00 - 24.00 + 18.24
    page.get_by_role("button", name="Order now").click()
    expect(
        page.get_by_text(re.compile(r"The subscription now has 3 licenses\. Invoice \S+ was issued\."))
    ).to_be_visible()

    # Members up to the limit.
    for n in range(3):
        page.get_by_label("E-mail address of the new member").fill(f"user{n}@kanal.example")
        page.get_by_role("button", name="Add member").click()
        expect(page.get_by_text(f"user{n}@kanal.example was invited and holds a license.")).to_be_visible()
    expect(page.get_by_text("All licenses are assigned. Add licenses before adding members.")).to_be_visible()
    expect(page.locator("#members")).to_contain_text("3 of 3 licenses assigned")
    shot(page, "04-manage-subscription")

    # The invoices, and one as PDF.
    page.get_by_role("link", name="Invoices").click()
    expect(page.get_by_role("heading", name="Invoices")).to_be_visible()
    shot(page, "05-invoices")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download PDF")).first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    page.get_by_role("link", name=re.compile("^View")).first.click()
    expect(page.get_by_role("heading", name="Lines")).to_be_visible()
    shot(page, "05b-invoice")

    # Cancel the paid subscription: it runs to its period end.
    page.goto(page.base + f"/console/subscriptions/{sub.public_id}/")
    page.get_by_role("button", name="Cancel subscription").click()
    expect(page.get_by_text("The subscription was cancelled. It ends at the end of the paid period.")).to_be_visible()
    expect(page.get_by_role("button", name="Reactivate")).to_be_visible()

    # A trial cancelled ends at once and is in the archive.
    page.goto(page.base + "/console/subscriptions/new")
    page.get_by_label("Customer company name").fill("Probe GmbH")
    page.get_by_label("Product").select_option("signatures-m365")
    page.get_by_label("1 month", exact=True).check()
    page.get_by_label("Number of users").fill("5")
    page.get_by_role("button", name="Continue to the price").click()
    expect(page.locator("#quote")).to_contain_text("Free for the 14-day trial")
    page.get_by_role("button", name="Confirm and create").click()
    page.get_by_role("button", name="Cancel subscription").click()
    expect(page.get_by_text("The subscription was cancelled and moved to the archive.")).to_be_visible()
    page.get_by_role("link", name="Archived subscriptions").first.click()
    expect(page.locator("table.data")).to_contain_text("Probe GmbH")
    expect(page.locator("table.data")).to_contain_text("Cancelled")
    shot(page, "06-archived")

    page.get_by_role("link", name="Customers").click()
    expect(page.locator("table.data")).to_contain_text("Invited")  # Kanal's admin has not accepted yet
    shot(page, "07-customers")

    # Acting on (seed 004), by keyboard: type part of the name, Tab past "Search" to the match, Enter.
    page.get_by_label("Find a customer to act on").focus()
    page.keyboard.type("kanal")
    results = page.locator("#acting-on-results")
    expect(results.get_by_role("button", name="Kanal Druckerei GmbH")).to_be_visible()
    expect(results).not_to_contain_text("Probe GmbH")
    shot(page, "07b-acting-on-search")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(results.get_by_role("button", name="Kanal Druckerei GmbH")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".acting-on-current")).to_contain_text("Kanal Druckerei GmbH")
    expect(page).to_have_url(re.compile(r"/console/customers/$"))
    expect(page.locator("table.data")).to_contain_text("Kanal Druckerei GmbH")
    expect(page.locator("table.data")).not_to_contain_text("Probe GmbH")
    page.get_by_role("button", name="Show all customers").click()
    expect(page.locator(".acting-on-current")).to_contain_text("All customers")
    expect(page.locator("table.data")).to_contain_text("Probe GmbH")
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Subscriptions", exact=True).click()
    expect(page.locator("table.data")).to_contain_text("Kanal Druckerei GmbH")
    shot(page, "08-dashboard")

    page.get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", name="Invite a colleague")).to_be_visible()
    shot(page, "08b-team")
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name of the key").fill("CRM sync")
    page.get_by_role("button", name="Create API key").click()
    expect(page.get_by_text("Copy it now: it is shown only once")).to_be_visible()
    shot(page, "08c-api-keys")
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("Endpoint URL").fill("https://hooks.isar.example/partnerdesk")
    page.get_by_label("member.added").check()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_text("Signing secret of the new endpoint")).to_be_visible()
    shot(page, "08d-webhooks")
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Subscriptions", exact=True).click()
    expect(page.get_by_role("heading", name="Customer subscriptions")).to_be_visible()

    # Switch to German.
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Change language").click()
    expect(page.get_by_role("heading", name="Kundenabonnements")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("table.data")).to_contain_text("Nächstes Zahlungsdatum")
    shot(page, "09-dashboard-de")
    page.goto(page.base + f"/console/subscriptions/{sub.public_id}/")
    expect(page.locator("body")).to_contain_text("Abonnement-ID")
    shot(page, "10-manage-subscription-de")
    expect(page.locator("#cancel")).to_contain_text("Bis dahin können Sie es reaktivieren.")
    page.goto(page.base + "/console/invoices/")
    expect(page.get_by_role("heading", name="Rechnungen")).to_be_visible()

    # And Dutch.
    page.get_by_label("Sprache").select_option("nl")
    page.get_by_role("button", name="Sprache ändern").click()
    expect(page.get_by_role("heading", name="Facturen")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Gearchiveerde abonnementen").click()
    expect(page.locator("table.data")).to_contain_text("Opgezegd")
    shot(page, "10b-archived-nl")

    assert not [e for e in page.errors if "Content Security Policy" in e or "Refused" in e], page.errors


def sign_in_server_side(page, user) -> None:
    """A session made server-side, its cookie handed to the browser."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from partnerdesk.accounts.sessions.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "partnerdesk.accounts.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    page.context.add_cookies([{"name": "sessionid", "value": session.session_key, "url": page.base}])


def test_customer_portal_in_the_browser(browser_page, vendor, actor, annual_plan, now, django_user_model):
    from playwright.sync_api import expect

    from partnerdesk.customers.models import CustomerMembership
    from partnerdesk.subscriptions.tests.factories import make_subscription

    page = browser_page
    sub = make_subscription(actor, annual_plan, now=now, seats=2, customer_can_manage=True)
    admin = django_user_model.objects.create_user(email=sub.customer.contact_email, password="x")
    CustomerMembership.objects.create(user=admin, customer=sub.customer)
    sign_in_server_side(page, admin)
    page.goto(page.base + "/")
    expect(page.get_by_role("heading", name="Your partner")).to_be_visible()
    expect(page.locator(".partner")).to_contain_text("Isar Systemhaus GmbH")
    assert "€" not in page.locator("main").inner_text()
    shot(page, "11-portal")
    page.get_by_role("link", name=re.compile("^Manage")).click()
    page.get_by_label("E-mail address of the new member").fill("anna@kunde.example")
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_text("anna@kunde.example was invited and holds a license.")).to_be_visible()
    shot(page, "12-portal-subscription")


def test_acting_on_without_javascript(browser_page, vendor, reseller_and_user, actor, now):
    """Without JavaScript the acting-on search opens a page of matches; choosing one is a plain POST."""
    from playwright.sync_api import expect

    from partnerdesk.customers.tests.factories import make_customer

    for name in ["Kanal Druckerei GmbH", "Probe GmbH", "Kanalbau AG"]:
        make_customer(actor, now=now, name=name)
    context = browser_page.context.browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = browser_page.base
    sign_in_server_side(page, reseller_and_user[1])
    page.goto(page.base + "/console/invoices/")
    page.get_by_label("Find a customer to act on").fill("kanal")
    page.get_by_label("Find a customer to act on").press("Enter")
    expect(page.get_by_role("heading", name="Act on a customer")).to_be_visible()
    found = page.locator("main").get_by_role("button")
    expect(found).to_have_text(["Kanal Druckerei GmbH", "Kanalbau AG"])
    shot(page, "07c-acting-on-without-javascript")
    found.filter(has_text="Kanalbau AG").click()
    expect(page).to_have_url(re.compile(r"/console/invoices/$"))
    expect(page.locator(".acting-on-current")).to_contain_text("Kanalbau AG")
    context.close()


def test_keyboard_only_member_add(browser_page, vendor, reseller_and_user, annual_plan, actor, now):
    """The member form is usable with the keyboard alone: Tab to the field, type, Enter."""
    from playwright.sync_api import expect

    from partnerdesk.subscriptions.tests.factories import make_subscription

    page = browser_page
    _, user = reseller_and_user
    sub = make_subscription(actor, annual_plan, now=now, seats=2)
    sign_in_server_side(page, user)
    page.goto(page.base + f"/console/subscriptions/{sub.public_id}/")
    page.get_by_label("E-mail address of the new member").focus()
    page.keyboard.type("keys@kunde.example")
    page.keyboard.press("Enter")
    expect(page.get_by_text("keys@kunde.example was invited and holds a license.")).to_be_visible()
    # Errors are tied to the field: aria-describedby points at the message.
    page.get_by_label("E-mail address of the new member").fill("keys@kunde.example")
    page.keyboard.press("Enter")
    field = page.get_by_label("E-mail address of the new member")
    expect(field).to_have_attribute("aria-invalid", "true")
    described = field.get_attribute("aria-describedby") or ""
    assert "member_email_error" in described.split()
    expect(page.locator("#member_email_error")).to_contain_text("already holds a license")
    assert os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") == "true"


def test_pages_fit_a_phone_screen(browser_page, vendor, reseller_and_user, annual_plan, actor, now):
    """Responsive: on a 390 px wide screen no page scrolls sideways (wide tables scroll in their box)."""
    from partnerdesk.subscriptions.tests.factories import make_subscription

    page = browser_page
    sub = make_subscription(actor, annual_plan, now=now, seats=2)
    sign_in_server_side(page, reseller_and_user[1])
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in [
        ("13-phone-dashboard", "/console/"),
        ("14-phone-subscription", f"/console/subscriptions/{sub.public_id}/"),
        ("15-phone-new", "/console/subscriptions/new"),
        (None, "/console/customers/"),
        (None, "/console/invoices/"),
    ]:
        page.goto(page.base + path)
        if name:
            shot(page, name)
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.table-wrap'))"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"
        )
        assert width <= 390, (path, width, wide)
