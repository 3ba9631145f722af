"""Demo data that tells the story of the five seed help pages.

A vendor selling the five seed products; a distributor (Nordwind) with a sub-reseller
(Polder IT) and an independent reseller (Isar Systemhaus); about sixty customers with
subscriptions in every state. Everything is created through the services, at
back-dated times, so the demo holds exactly what real use would have produced.

Idempotent: every object is looked up by its natural key first, so a second run
changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from stdnum.iso7064 import mod_11_10

from partnerdesk.accounts import apikeys
from partnerdesk.accounts.models import ApiKey, Reseller, ResellerMembership, User, Vendor
from partnerdesk.accounts.services import reseller_create
from partnerdesk.catalog.models import Plan, Product
from partnerdesk.core.actors import Actor
from partnerdesk.customers.models import Customer
from partnerdesk.customers.services import customer_create
from partnerdesk.subscriptions import services as subs
from partnerdesk.subscriptions.models import PaymentMethod

DEMO_PASSWORD = "partnerdesk-demo"
VENDOR_STAFF_EMAIL = "vendor@partnerdesk.example"

# (code, name, launch url, [(plan suffix, term months, price per seat, trial days)])
CATALOG = [
    (
        "signatures-m365",
        "Signatures for Microsoft 365",
        "https://signatures.example/start/m365",
        [("monthly", 1, "1.80", 14), ("annual", 12, "19.44", 14)],
    ),
    (
        "signatures-google",
        "Signatures for Google Workspace",
        "https://signatures.example/start/google",
        [("monthly", 1, "1.80", 14), ("annual", 12, "19.44", 14)],
    ),
    (
        "shared-contacts",
        "Shared Contacts for Gmail",
        "https://contacts.example/start",
        [("monthly", 1, "4.90", 0), ("annual", 12, "49.00", 0)],
    ),
    (
        "rainbow-business",
        "Rainbow Business",
        "https://rainbow.example/start",
        [("monthly", 1, "4.99", 0), ("annual", 12, "53.88", 0)],
    ),
    (
        "axcrypt-business",
        "AxCrypt Business",
        "https://axcrypt.example/start",
        [("monthly", 1, "12.00", 0), ("annual", 12, "120.00", 0)],
    ),
]

# (name, country, owner e-mail, vat id, discount %, parent name, number of customers)
RESELLERS = [
    ("Nordwind Distribution GmbH", "DE", "owner@nordwind.example", "DE136695976", "25", None, 22),
    ("Polder IT B.V.", "NL", "owner@polder-it.example", "NL004495445B01", "15", "Nordwind Distribution GmbH", 18),
    ("Isar Systemhaus GmbH", "DE", "owner@isar-systemhaus.example", "", "20", None, 20),
]

# Fixed, published demo keys: the demo prints them every time, so they can't be secret.
DEMO_KEYS = {
    "vendor": "pd_demoVendorKeyDoNotUseInProduction000000000",
    "Nordwind Distribution GmbH": "pd_demoNordwindKeyDoNotUseInProduction000000",
    "Polder IT B.V.": "pd_demoPolderKeyDoNotUseInProduction00000000",
    "Isar Systemhaus GmbH": "pd_demoIsarKeyDoNotUseInProduction0000000000",
}

_PREFIXES = [
    "Alpen",
    "Berg",
    "Elbe",
    "Fjord",
    "Grün",
    "Hafen",
    "Kiel",
    "Lind",
    "Main",
    "Mosel",
    "Nord",
    "Oder",
    "Rhein",
    "Saale",
    "Tauber",
    "Weser",
    "Zeeland",
    "Delta",
    "Maas",
    "Amstel",
]
_SUFFIXES = [
    "Logistik",
    "Bau",
    "Consulting",
    "Medien",
    "Software",
    "Handel",
    "Design",
    "Finanz",
    "Technik",
    "Energie",
    "Praxis",
    "Kanzlei",
]
_FORMS = {"DE": "GmbH", "AT": "GmbH", "NL": "B.V.", "BE": "BV", "FR": "SAS", "CH": "AG", "US": "Inc."}


@dataclass
class DemoSummary:
    created: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        base = settings.BASE_URL
        lines = [
            f"partnerdesk demo data is ready at {base}/",
            f"  vendor staff:  {VENDOR_STAFF_EMAIL:38} password {DEMO_PASSWORD}  ({base}/admin/)",
        ]
        for name, _country, email, *_ in RESELLERS:
            lines.append(f"  reseller:      {email:38} password {DEMO_PASSWORD}  ({name})")
        lines.append("  API keys (demo only, published here):")
        for owner, key in DEMO_KEYS.items():
            lines.append(f"    {owner:28} {key}")
        if self.created:
            made = ", ".join(f"{count} {what}" for what, count in self.created.items() if count)
            lines.append(f"  created now: {made or 'nothing (already loaded)'}")
        return "\n".join(lines)


def database_is_empty() -> bool:
    return not Vendor.objects.exists()


def is_loaded() -> bool:
    return User.objects.filter(email=VENDOR_STAFF_EMAIL).exists()


def _german_vat_id(rng: random.Random) -> str:
    body = str(rng.randint(10_000_000, 99_999_999))
    return "DE" + body + str(mod_11_10.calc_check_digit(body))


def _login_user(email: str, *, name: str, staff: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, name=name, is_staff=staff, is_superuser=staff
        )
    # Demo addresses can't receive mail: mark them verified so the logins work at once.
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _catalog() -> dict[str, Plan]:
    plans: dict[str, Plan] = {}
    for code, name, launch_url, plan_rows in CATALOG:
        product, _ = Product.objects.get_or_create(code=code, defaults={"name": name, "launch_url": launch_url})
        for suffix, term, price, trial in plan_rows:
            plan, _ = Plan.objects.get_or_create(
                code=f"{code}-{suffix}",
                defaults={
                    "product": product,
                    "name": suffix.capitalize(),
                    "term_months": term,
                    "price_per_seat": Decimal(price),
                    "trial_days": trial,
                },
            )
            plans[plan.code] = plan
    return plans


def _resellers(now: datetime, counts: dict[str, int]) -> list[Reseller]:
    system = Actor(tenant=Actor.system().tenant, label="demo")
    resellers = []
    for name, country, email, vat_id, discount, parent, _n in RESELLERS:
        reseller = Reseller.objects.filter(name=name).first()
        if reseller is None:
            _login_user(email, name=name.split()[0] + " owner")
            reseller, _ = reseller_create(
                actor=system,
                name=name,
                country=country,
                admin_email=email,
                vat_id=vat_id,
                discount=discount,
                parent_name=parent,
                now=now - timedelta(days=400),
            )
            counts["resellers"] += 1
        resellers.append(reseller)
    viewer = _login_user("viewer@nordwind.example", name="Nordwind viewer")
    ResellerMembership.objects.get_or_create(
        user=viewer, reseller=resellers[0], defaults={"role": ResellerMembership.Role.VIEWER}
    )
    return resellers


def _api_keys() -> None:
    for owner, key in DEMO_KEYS.items():
        if ApiKey.objects.filter(key_hash=apikeys.hash_key(key)).exists():
            continue
        reseller = None if owner == "vendor" else Reseller.objects.get(name=owner)
        ApiKey.objects.create(
            name="demo",
            prefix=apikeys.visible_prefix(key),
            key_hash=apikeys.hash_key(key),
            reseller=reseller,
            is_vendor=reseller is None,
        )


def _customer_story(
    actor: Actor,
    index: int,
    plans: dict[str, Plan],
    now: datetime,
    counts: dict[str, int],
) -> None:
    """One customer and its subscription, in the state ``index`` picks."""
    rng = random.Random(f"partnerdesk-demo-{index}")  # per customer, so reruns see the same draws
    country = rng.choice(["DE", "DE", "DE", "AT", "NL", "NL", "BE", "FR", "CH", "US"])
    company = f"{_PREFIXES[index % len(_PREFIXES)]} {_SUFFIXES[(index * 7) % len(_SUFFIXES)]} {_FORMS[country]}"
    if Customer.objects.filter(reseller=actor.reseller, company_name=company).exists():
        return
    slug = company.split()[0].lower().replace("ü", "ue") + "-" + company.split()[1].lower()
    story = index % 7
    created = now - timedelta(days=rng.randint(1, 12) if story in (0, 5) else rng.randint(20, 300))
    data = {
        "company_name": company,
        "contact_name": f"{rng.choice(['Anna', 'Jan', 'Lena', 'Pieter', 'Sophie', 'Max'])} "
        f"{rng.choice(['Müller', 'de Vries', 'Schmidt', 'Jansen', 'Weber', 'Bakker'])}",
        "contact_email": f"it@{slug}.example",
        "domain": f"{slug}.example",
        "country": country,
        "vat_id": _german_vat_id(rng) if country == "DE" and rng.random() < 0.7 else "",
        "language": {"DE": "de", "AT": "de", "CH": "de", "NL": "nl", "BE": "nl"}.get(country, "en"),
    }
    customer = customer_create(actor=actor, data=data, invite=story == 5, now=created)
    counts["customers"] += 1
    # Story 4 is a trial cancelled early, so it needs a product with a trial.
    product = CATALOG[index % 2][0] if story == 4 else CATALOG[index % len(CATALOG)][0]
    term = "annual" if rng.random() < 0.4 else "monthly"
    plan = plans[f"{product}-{term}"]
    seats = rng.choice([3, 5, 10, 12, 25, 40])
    method = PaymentMethod.CARD if rng.random() < 0.3 else PaymentMethod.BANK_TRANSFER
    if story in (1, 2, 3, 6) and plan.trial_days:
        # A trial long converted to paid: created before its first paid period began.
        created = now - timedelta(days=plan.trial_days + rng.randint(1, 25 if term == "monthly" else 300))
    elif story in (1, 2, 3, 6) and plan.term_months == 1:
        created = now - timedelta(days=rng.randint(1, 27))
    subscription = subs.subscription_create(
        actor=actor,
        customer=customer,
        plan=plan,
        seats=seats,
        customer_can_manage=story in (2, 5),
        payment_method=method,
        now=created,
    )
    counts["subscriptions"] += 1
    if subscription.status == "trial" and story in (1, 2, 3, 6):
        subscription = subs.subscription_activate(
            actor=actor, subscription=subscription, now=subscription.trial_ends_at
        )
    if story in (1, 2, 3, 6):
        subs.subscription_start(actor=actor, subscription=subscription, now=created + timedelta(hours=2))
        for n in range(rng.randint(1, seats)):
            subs.member_add(
                actor=actor,
                subscription=subscription,
                email=f"user{n + 1}@{slug}.example",
                now=created + timedelta(hours=3),
            )
    if story == 3:
        subs.subscription_cancel(
            actor=actor, subscription=subscription, reason="Moving to another tool", now=now - timedelta(days=1)
        )
    if story == 4:
        subs.subscription_cancel(
            actor=actor,
            subscription=subscription,
            reason="Trial not continued",
            now=created + timedelta(days=min(plan.trial_days, 5) or 1),
        )


def load(*, reset: bool = False) -> DemoSummary:
    if reset:
        call_command("flush", interactive=False, verbosity=0)
    now = timezone.now()
    counts = {"resellers": 0, "customers": 0, "subscriptions": 0}
    with transaction.atomic():
        Vendor.objects.get_or_create(
            singleton=True,
            defaults={
                "name": "Cloudwerk Software GmbH",
                "country": settings.VENDOR_COUNTRY,
                "vat_id": "DE136695976",
                "address": "Friedrichstraße 100\n10117 Berlin\nGermany",
                "email": "billing@cloudwerk.example",
                "bank_name": "Commerzbank",
                "iban": "DE89370400440532013000",
                "bic": "COBADEFFXXX",
            },
        )
        _login_user(VENDOR_STAFF_EMAIL, name="Vendor staff", staff=True)
        plans = _catalog()
        resellers = _resellers(now, counts)
        _api_keys()
        index = 0
        for reseller, (_name, _c, email, *_rest, how_many) in zip(resellers, RESELLERS, strict=True):
            owner = User.objects.get(email=email)
            actor = Actor.reseller_user(owner, reseller, "owner")
            for _ in range(how_many):
                _customer_story(actor, index, plans, now, counts)
                index += 1
    return DemoSummary(created=counts)
