"""A reseller keeps its own business information (accounts.services.reseller_business_update)."""

import pytest

from partnerdesk.accounts.services import reseller_business_update
from partnerdesk.audit.models import AuditEvent
from partnerdesk.core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_the_owner_changes_address_contact_vat_id_and_language_audited(actor, now):
    reseller = reseller_business_update(
        actor=actor,
        data={"address": " Leopoldstr. 1\nMünchen ", "vat_id": "de 136695976", "language": "DE", "contact_email": ""},
        now=now,
    )
    reseller.refresh_from_db()
    assert (reseller.address, reseller.vat_id, reseller.language, reseller.contact_email) == (
        "Leopoldstr. 1\nMünchen",
        "DE136695976",
        "de",
        "",
    )
    entry = AuditEvent.objects.get(action="reseller.update_business")
    assert set(entry.after) == {"address", "vat_id", "language", "contact_email"}
    reseller_business_update(actor=actor, data={"language": "de"}, now=now)  # nothing changed
    assert AuditEvent.objects.filter(action="reseller.update_business").count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": "Other"}, "name"), ({"discount_percent": "50"}, "discount_percent"), ({"language": "fr"}, "language")],
    ids=["name-stays-with-vendor-staff", "discount-stays-with-vendor-staff", "unknown-language"],
)
def test_refused_changes_change_nothing(actor, now, data, field):
    before = (actor.reseller.name, actor.reseller.discount_percent, actor.reseller.language)
    with pytest.raises(DomainError) as refused:
        reseller_business_update(actor=actor, data=data, now=now)
    assert (refused.value.code, refused.value.param) == ("invalid_request", field)
    actor.reseller.refresh_from_db()
    assert (actor.reseller.name, actor.reseller.discount_percent, actor.reseller.language) == before
    assert not AuditEvent.objects.filter(action="reseller.update_business").exists()
