from datetime import date
from decimal import Decimal

import pytest

from partnerdesk.billing.tax import NOTES, STANDARD_RATES, standard_rate, valid_vat_id, vat_for
from partnerdesk.core.validation import EU_COUNTRIES

# Standard rates in force on 1 March 2026, from the member states' published rates.
RATES_2026 = {
    "AT": "20", "BE": "21", "BG": "20", "CY": "19", "CZ": "21", "DE": "19", "DK": "25", "EE": "24",
    "ES": "21", "FI": "25.5", "FR": "20", "GR": "24", "HR": "25", "HU": "27", "IE": "23", "IT": "22",
    "LT": "21", "LU": "17", "LV": "21", "MT": "18", "NL": "21", "PL": "23", "PT": "23", "RO": "21",
    "SE": "25", "SI": "22", "SK": "23",
}  # fmt: skip


def test_the_table_covers_exactly_the_27_member_states():
    assert set(STANDARD_RATES) == set(EU_COUNTRIES) == set(RATES_2026)
    assert len(STANDARD_RATES) == 27


@pytest.mark.parametrize("country", sorted(RATES_2026))
def test_standard_rate_of_every_member_state(country):
    assert standard_rate(country, date(2026, 3, 1)) == Decimal(RATES_2026[country])


@pytest.mark.parametrize("country", sorted(RATES_2026))
def test_a_domestic_sale_in_every_member_state_uses_its_own_rate(country):
    decision = vat_for(country, country, "", on=date(2026, 3, 1))
    assert (decision.rate, decision.reverse_charge, decision.note) == (Decimal(RATES_2026[country]), False, "")


@pytest.mark.parametrize(
    ("country", "day", "rate"),
    [
        ("DE", date(2020, 6, 30), "19"),
        ("DE", date(2020, 7, 1), "16"),
        ("DE", date(2020, 12, 31), "16"),
        ("DE", date(2021, 1, 1), "19"),
        ("FI", date(2024, 8, 31), "24"),
        ("FI", date(2024, 9, 1), "25.5"),
        ("SK", date(2024, 12, 31), "20"),
        ("SK", date(2025, 1, 1), "23"),
        ("EE", date(2023, 12, 31), "20"),
        ("EE", date(2024, 1, 1), "22"),
        ("EE", date(2025, 7, 1), "24"),
        ("LU", date(2023, 6, 1), "16"),
        ("RO", date(2025, 7, 31), "19"),
        ("RO", date(2025, 8, 1), "21"),
    ],
    ids=lambda v: str(v),
)
def test_rates_are_dated(country, day, rate):
    assert standard_rate(country, day) == Decimal(rate)


def test_a_country_outside_the_eu_has_no_standard_rate():
    with pytest.raises(ValueError):
        standard_rate("CH", date(2026, 1, 1))


ON = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("buyer_country", "vat_id", "rate", "reverse_charge", "note"),
    [
        ("DE", "", "19", False, ""),
        ("DE", "DE136695976", "19", False, ""),  # domestic: a VAT ID changes nothing
        ("NL", "NL004495445B01", "0", True, "reverse_charge"),
        ("NL", "004495445B01", "0", True, "reverse_charge"),  # country prefix implied
        ("NL", "NL004495446B01", "19", False, ""),  # wrong check digit: vendor rate
        ("NL", "DE136695976", "19", False, ""),  # valid, but not the buyer's country
        ("NL", "", "19", False, ""),
        ("GR", "EL094259216", "0", True, "reverse_charge"),  # Greece uses EL
        ("US", "", "0", False, "outside_eu"),
        ("CH", "CHE123456789", "0", False, "outside_eu"),
    ],
    ids=[
        "domestic",
        "domestic-with-id",
        "eu-valid-id",
        "eu-id-without-prefix",
        "eu-bad-check-digit",
        "eu-foreign-id",
        "eu-no-id",
        "greece-el",
        "us",
        "switzerland",
    ],
)
def test_vat_rules_for_a_german_vendor(buyer_country, vat_id, rate, reverse_charge, note):
    decision = vat_for("DE", buyer_country, vat_id, on=ON)
    assert (decision.rate, decision.reverse_charge, decision.note) == (Decimal(rate), reverse_charge, note)


def test_the_vendor_country_decides_the_rate_for_eu_buyers_without_an_id():
    assert vat_for("NL", "DE", "", on=ON).rate == Decimal("21")
    assert vat_for("NL", "NL", "", on=ON).rate == Decimal("21")
    assert vat_for("NL", "DE", "DE136695976", on=ON).reverse_charge is True


def test_a_vendor_outside_the_eu_is_refused():
    with pytest.raises(ValueError):
        vat_for("CH", "DE", "", on=ON)


@pytest.mark.parametrize("language", ["en", "de", "nl"])
def test_notes_exist_in_every_invoice_language(language):
    decision = vat_for("DE", "NL", "NL004495445B01", on=ON)
    assert "196" in decision.note_text(language)
    assert NOTES["outside_eu"][language]


def test_vat_id_validation_uses_the_check_digit():
    assert valid_vat_id("NL 0044.95445.B01", "NL")
    assert not valid_vat_id("NL004495446B01", "NL")
    assert not valid_vat_id("", "NL")
