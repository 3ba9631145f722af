"""Money is a Decimal plus a currency. Rounding to the currency's minor unit happens here only."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_precision

DEFAULT_CURRENCY = "EUR"


def minor_unit(currency: str) -> Decimal:
    """Decimal('0.01') for EUR, Decimal('1') for JPY (from CLDR via Babel)."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor unit (commercial rounding, as on invoices)."""
    if not isinstance(amount, Decimal):
        raise TypeError("money must be a Decimal, never a float")
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def to_api(amount: Decimal, currency: str) -> str:
    """The decimal string the API shows: "123.40"."""
    return str(quantize(amount, currency))


def format_money(amount: Decimal, currency: str, locale: str = "en") -> str:
    """Localized display: "€1,234.56" in English, "1.234,56 €" in German."""
    return format_currency(quantize(amount, currency), currency, locale=locale)
