"""Parsing of the identifiers people type: countries, e-mail addresses, VAT IDs, domains."""

from __future__ import annotations

import re
from functools import cache

from babel import Locale
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from stdnum.eu import vat as eu_vat

from partnerdesk.core.errors import invalid

# EU member states by ISO code. VAT IDs use EL for Greece.
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
_VAT_PREFIX = {"GR": "EL"}
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})+$")


@cache
def _countries() -> frozenset[str]:
    return frozenset(code for code in Locale("en").territories if len(code) == 2 and code.isalpha())


def normalize_country(value: str, param: str = "country") -> str:
    code = (value or "").strip().upper()
    if code not in _countries():
        raise invalid(f"'{value}' is not an ISO 3166 country code such as DE or NL.", param)
    return code


def normalize_email(value: str, param: str = "email") -> str:
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise invalid(f"'{value}' is not a valid e-mail address.", param) from None
    return email


def normalize_domain(value: str, param: str = "domain") -> str:
    domain = (value or "").strip().lower().rstrip(".")
    if domain and not _DOMAIN.match(domain):
        raise invalid(f"'{value}' is not a valid domain name.", param)
    return domain


def normalize_vat_id(value: str, country: str, param: str = "vat_id") -> str:
    """A VAT ID in compact form, checked for format and check digit (EU countries).

    It must belong to ``country``: a German company with a Dutch VAT ID is a typo.
    Outside the EU the ID is kept as given (compacted); it never changes the VAT.
    """
    raw = (value or "").strip()
    if not raw:
        return ""
    compact = re.sub(r"[\s.\-/]", "", raw).upper()
    if country in EU_COUNTRIES:
        if not compact[:2].isalpha():
            compact = _VAT_PREFIX.get(country, country) + compact
        if not eu_vat.is_valid(compact):
            raise invalid(f"'{value}' is not a valid EU VAT ID (format or check digit).", param)
        if compact[:2] != _VAT_PREFIX.get(country, country):
            raise invalid(f"The VAT ID '{value}' does not belong to country {country}.", param)
        return compact
    if len(compact) > 20 or not compact.isalnum():
        raise invalid(f"'{value}' is not a valid VAT ID.", param)
    return compact


def require_text(value: str, param: str, max_length: int = 200) -> str:
    text = (value or "").strip()
    if not text:
        raise invalid(f"{param} is required.", param)
    if len(text) > max_length:
        raise invalid(f"{param} is longer than {max_length} characters.", param)
    return text
