from decimal import Decimal

import pytest

from partnerdesk.core.money import format_money, minor_unit, quantize, to_api


def test_minor_units_come_from_the_currency():
    assert minor_unit("EUR") == Decimal("0.01")
    assert minor_unit("JPY") == Decimal("1")


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [("1.005", "EUR", "1.01"), ("1.004", "EUR", "1.00"), ("-1.005", "EUR", "-1.01"), ("99.5", "JPY", "100")],
)
def test_quantize_rounds_half_up(amount, currency, expected):
    assert quantize(Decimal(amount), currency) == Decimal(expected)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        quantize(1.5, "EUR")


def test_api_strings_keep_trailing_zeros():
    assert to_api(Decimal("123.4"), "EUR") == "123.40"


def test_localized_formatting():
    assert format_money(Decimal("1234.56"), "EUR", "de") == "1.234,56\xa0€"
    assert format_money(Decimal("1234.56"), "EUR", "en") == "€1,234.56"
    assert format_money(Decimal("1234.56"), "EUR", "nl") == "€\xa01.234,56"
