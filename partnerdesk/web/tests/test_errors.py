from __future__ import annotations

import pytest
from django.utils import translation

from partnerdesk.core.errors import DomainError, conflict
from partnerdesk.web.errors import localized

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("message", "german"),
    [
        (
            "No free seat: all 3 licenses are assigned. Add licenses first.",
            "Keine freie Lizenz: Alle 3 Lizenzen sind zugewiesen. Fügen Sie zuerst Lizenzen hinzu.",
        ),
        (
            "a@b.example already holds a license in this subscription.",
            "a@b.example hat in diesem Abonnement bereits eine Lizenz.",
        ),
        ("Cannot add members: the subscription is cancelled.", "Nicht möglich: Das Abonnement ist gekündigt."),
        ("Your role (viewer) may not do this.", "Ihre Rolle (Nur lesen) darf das nicht."),
        (
            "'DE123' is not a valid EU VAT ID (format or check digit).",
            "„DE123“ ist keine gültige EU-USt-IdNr. (Format oder Prüfziffer).",
        ),
        ("company_name is required.", "Dieses Feld ist erforderlich."),
        ("Something nobody anticipated.", "Something nobody anticipated."),
    ],
    ids=["no-free-seat", "already-member", "status", "role", "vat", "required", "unknown-stays-english"],
)
def test_service_messages_are_shown_in_german(message, german):
    with translation.override("de"):
        assert localized(DomainError("conflict", message)) == german
    with translation.override("en"):
        english = localized(DomainError("conflict", message))
    assert english.lower() == message.lower() or english in (
        "Not possible: the subscription is cancelled.",
        "This field is required.",
    )


def test_the_member_form_error_in_dutch(client_in, subscription):
    url = f"/console/subscriptions/{subscription.public_id}/members"
    for n in range(3):
        client_in.post(url, {"email": f"u{n}@amstel.example"})
    response = client_in.post(url, {"email": "u9@amstel.example"}, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 422
    assert "Geen vrije licentie: alle 3 licenties zijn toegewezen." in response.content.decode()
    assert localized(conflict("x")) == "x"
