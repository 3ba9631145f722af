import string

import pytest

from partnerdesk.core.errors import DomainError
from partnerdesk.core.ids import new_public_id
from partnerdesk.core.validation import normalize_country, normalize_email, normalize_vat_id


def test_valid_vat_ids_are_compacted():
    assert normalize_vat_id("de 136 695 976", "DE") == "DE136695976"
    assert normalize_vat_id("136695976", "DE") == "DE136695976"  # prefix added
    assert normalize_vat_id("NL004495445B01", "NL") == "NL004495445B01"


@pytest.mark.parametrize(
    ("vat_id", "country"),
    [("DE136695975", "DE"), ("DE12345", "DE"), ("NL004495445B01", "DE"), ("XX1234", "FR")],
    ids=["bad-check-digit", "bad-format", "other-country", "garbage"],
)
def test_invalid_vat_ids_name_the_field(vat_id, country):
    with pytest.raises(DomainError) as error:
        normalize_vat_id(vat_id, country)
    assert error.value.code == "invalid_request"
    assert error.value.param == "vat_id"


def test_outside_the_eu_the_vat_id_is_kept():
    assert normalize_vat_id("CHE-123.456.788", "CH") == "CHE123456788"


def test_countries_and_emails():
    assert normalize_country("nl") == "NL"
    assert normalize_email(" Anna@Example.COM ") == "anna@example.com"
    with pytest.raises(DomainError):
        normalize_country("XQ")
    with pytest.raises(DomainError):
        normalize_email("not-an-email")


def test_public_ids_have_a_prefix_and_do_not_repeat():
    ids = {new_public_id("sub") for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.startswith("sub_") and len(i) == 24 for i in ids)
    assert set("".join(i[4:] for i in ids)) <= set(string.ascii_letters + string.digits)


def test_public_id_characters_are_uniform():
    # Every character is made from exactly four of the 248 byte values kept.
    from collections import Counter

    from partnerdesk.core.ids import _DROPPED, _TO_CHARACTER

    kept = [char for byte, char in enumerate(_TO_CHARACTER) if byte not in _DROPPED]
    assert len(kept) == 248 and set(Counter(kept).values()) == {4} and len(set(kept)) == 62
