"""VAT: which rate applies to a sale, and the note the invoice must carry.

The rules (SPEC "VAT"), for a seller in an EU member state:
- buyer in the seller's country: the seller's standard rate;
- buyer in another member state with a valid VAT ID (format and check digit, and the
  ID belongs to the buyer's country): 0 %, reverse charge (Art. 196 VAT Directive);
- buyer in another member state without one: the seller's rate;
- buyer outside the EU: 0 % (the service is supplied outside the EU).

Rates change (Finland 24 → 25.5 % in September 2024, Slovakia 20 → 23 % in 2025,
Germany's 16 % in the second half of 2020), so the table is dated: each entry is the
standard rate in force from a day on, and ``on`` picks the one in force that day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from stdnum.eu import vat as eu_vat

from partnerdesk.core.validation import EU_COUNTRIES

_VAT_PREFIX = {"GR": "EL"}

# country → [(in force from, standard rate %)], oldest first.
STANDARD_RATES: dict[str, list[tuple[date, str]]] = {
    "AT": [(date(2016, 1, 1), "20")],
    "BE": [(date(1996, 1, 1), "21")],
    "BG": [(date(2007, 1, 1), "20")],
    "CY": [(date(2014, 1, 13), "19")],
    "CZ": [(date(2013, 1, 1), "21")],
    "DE": [(date(2007, 1, 1), "19"), (date(2020, 7, 1), "16"), (date(2021, 1, 1), "19")],
    "DK": [(date(1992, 1, 1), "25")],
    "EE": [(date(2009, 7, 1), "20"), (date(2024, 1, 1), "22"), (date(2025, 7, 1), "24")],
    "ES": [(date(2012, 9, 1), "21")],
    "FI": [(date(2013, 1, 1), "24"), (date(2024, 9, 1), "25.5")],
    "FR": [(date(2014, 1, 1), "20")],
    "GR": [(date(2016, 6, 1), "24")],
    "HR": [(date(2013, 1, 1), "25")],
    "HU": [(date(2012, 1, 1), "27")],
    "IE": [(date(2021, 3, 1), "23")],
    "IT": [(date(2013, 10, 1), "22")],
    "LT": [(date(2009, 9, 1), "21")],
    "LU": [(date(2015, 1, 1), "17"), (date(2023, 1, 1), "16"), (date(2024, 1, 1), "17")],
    "LV": [(date(2011, 7, 1), "21")],
    "MT": [(date(2004, 5, 1), "18")],
    "NL": [(date(2012, 10, 1), "21")],
    "PL": [(date(2011, 1, 1), "23")],
    "PT": [(date(2011, 1, 1), "23")],
    "RO": [(date(2017, 1, 1), "19"), (date(2025, 8, 1), "21")],
    "SE": [(date(1990, 7, 1), "25")],
    "SI": [(date(2013, 7, 1), "22")],
    "SK": [(date(2011, 1, 1), "20"), (date(2025, 1, 1), "23")],
}

REVERSE_CHARGE = "reverse_charge"
OUTSIDE_EU = "outside_eu"

NOTES: dict[str, dict[str, str]] = {
    REVERSE_CHARGE: {
        "en": "Reverse charge: VAT to be accounted for by the recipient (Art. 196 Council Directive 2006/112/EC).",
        "de": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge, Art. 196 MwStSystRL 2006/112/EG).",
        "nl": "Btw verlegd: de afnemer is de btw verschuldigd (art. 196 Richtlijn 2006/112/EG).",
    },
    OUTSIDE_EU: {
        "en": "Not subject to EU VAT: service supplied to a customer outside the EU.",
        "de": "Nicht im Inland steuerbare Leistung: Leistungsempfänger außerhalb der EU.",
        "nl": "Niet onderworpen aan EU-btw: dienst geleverd aan een afnemer buiten de EU.",
    },
}


@dataclass(frozen=True)
class VatDecision:
    rate: Decimal  # percent, e.g. Decimal("19")
    reverse_charge: bool
    note: str  # "", REVERSE_CHARGE or OUTSIDE_EU: a key of NOTES

    def note_text(self, language: str) -> str:
        if not self.note:
            return ""
        texts = NOTES[self.note]
        return texts.get(language, texts["en"])


def standard_rate(country: str, on: date) -> Decimal:
    """The standard VAT rate of an EU member state in force on ``on``."""
    try:
        entries = STANDARD_RATES[country]
    except KeyError:
        raise ValueError(f"{country} is not an EU member state") from None
    in_force = [rate for start, rate in entries if start <= on]
    if not in_force:
        raise ValueError(f"no VAT rate known for {country} on {on}")
    return Decimal(in_force[-1])


def valid_vat_id(vat_id: str, country: str) -> bool:
    """Format and check digit (python-stdnum), and the ID belongs to ``country``."""
    if not vat_id:
        return False
    compact = re.sub(r"[\s.\-/]", "", vat_id).upper()
    if not compact[:2].isalpha():
        compact = _VAT_PREFIX.get(country, country) + compact
    return compact[:2] == _VAT_PREFIX.get(country, country) and eu_vat.is_valid(compact)


@lru_cache(maxsize=4096)  # a pure function of its arguments; the billing run asks it for every invoice
def vat_for(seller_country: str, buyer_country: str, buyer_vat_id: str, *, on: date) -> VatDecision:
    if seller_country not in EU_COUNTRIES:
        raise ValueError(f"the vendor country {seller_country} is not an EU member state; no VAT rules for it")
    if buyer_country == seller_country:
        return VatDecision(standard_rate(seller_country, on), False, "")
    if buyer_country not in EU_COUNTRIES:
        return VatDecision(Decimal("0"), False, OUTSIDE_EU)
    if valid_vat_id(buyer_vat_id, buyer_country):
        return VatDecision(Decimal("0"), True, REVERSE_CHARGE)
    return VatDecision(standard_rate(seller_country, on), False, "")
