import pytest

from partnerdesk.audit.models import AuditEvent
from partnerdesk.core.errors import DomainError
from partnerdesk.customers.models import Customer
from partnerdesk.customers.services import customer_create, customer_update

DATA = {
    "company_name": "Amstel Logistiek B.V.",
    "contact_name": "Sophie Bakker",
    "contact_email": "Sophie@Amstel.example",
    "domain": "Amstel.Example",
    "country": "nl",
    "vat_id": "NL 0044.95.445.B01",
}


def test_create_normalizes_and_audits(actor, now):
    customer = customer_create(actor=actor, data=DATA, now=now)
    assert (customer.contact_email, customer.domain, customer.country, customer.vat_id) == (
        "sophie@amstel.example",
        "amstel.example",
        "NL",
        "NL004495445B01",
    )
    assert customer.status == "active" and customer.reseller == actor.reseller
    assert customer.public_id.startswith("cus_")
    event = AuditEvent.objects.get(action="customer.create")
    assert event.after["company_name"] == "Amstel Logistiek B.V." and event.acting_on == customer


def test_an_invited_customer_needs_a_contact_email(actor, now):
    assert customer_create(actor=actor, data=DATA, invite=True, now=now).status == "invited"
    with pytest.raises(DomainError) as error:
        customer_create(actor=actor, data=DATA | {"contact_email": ""}, invite=True, now=now)
    assert error.value.param == "contact_email"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("company_name", " "),
        ("country", "XX"),
        ("vat_id", "NL004495446B01"),
        ("contact_email", "sophie@"),
        ("domain", "not a domain"),
        ("language", "fr"),
    ],
)
def test_bad_business_information_changes_nothing(actor, now, field, value):
    with pytest.raises(DomainError) as error:
        customer_create(actor=actor, data=DATA | {field: value}, now=now)
    assert (error.value.code, error.value.param) == ("invalid_request", field)
    assert Customer.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_update_changes_only_what_is_given_and_records_before_and_after(actor, now):
    customer = customer_create(actor=actor, data=DATA, now=now)
    updated = customer_update(actor=actor, customer=customer, data={"contact_name": "Jan de Vries"}, now=now)
    assert updated.contact_name == "Jan de Vries" and updated.vat_id == "NL004495445B01"
    event = AuditEvent.objects.get(action="customer.update")
    assert (event.before, event.after) == ({"contact_name": "Sophie Bakker"}, {"contact_name": "Jan de Vries"})


def test_update_validates_like_create(actor, now):
    customer = customer_create(actor=actor, data=DATA, now=now)
    with pytest.raises(DomainError):
        customer_update(actor=actor, customer=customer, data={"country": "DE"}, now=now)  # NL VAT ID
    with pytest.raises(DomainError):
        customer_update(actor=actor, customer=customer, data={"reseller": 1}, now=now)
    assert Customer.objects.get(pk=customer.pk).country == "NL"


def test_another_reseller_cannot_update(actor, other_actor, now):
    customer = customer_create(actor=actor, data=DATA, now=now)
    with pytest.raises(DomainError) as error:
        customer_update(actor=other_actor, customer=customer, data={"contact_name": "x"}, now=now)
    assert error.value.code == "permission_denied"
