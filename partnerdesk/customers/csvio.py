"""CSV import and export of customers.

Import keeps every good row and reports every bad one with its line number and the
reason; each row is its own transaction. A row whose company (same name, same domain)
the reseller already has is skipped, so importing the same file twice creates nothing new.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from partnerdesk.core.actors import Actor, Tenant
from partnerdesk.core.csv_export import csv_lines
from partnerdesk.core.errors import DomainError
from partnerdesk.customers.models import Customer
from partnerdesk.customers.selectors import customer_list
from partnerdesk.customers.services import BUSINESS_FIELDS, customer_create

CUSTOMER_COLUMNS = BUSINESS_FIELDS
REQUIRED_COLUMNS = {"company_name", "country"}


@dataclass
class ImportReport:
    created: int = 0
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_rows(handle: IO[str]) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and the data rows with their line numbers (the header is line 1)."""
    reader = csv.DictReader(handle)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = REQUIRED_COLUMNS - set(header)
    if missing:
        raise DomainError("invalid_request", f"The CSV header lacks {', '.join(sorted(missing))}.", "file")
    unknown = set(header) - set(CUSTOMER_COLUMNS)
    if unknown:
        raise DomainError("invalid_request", f"Unknown CSV column {sorted(unknown)[0]}.", "file")
    rows = [(reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items() if k}) for row in reader]
    return header, rows


def import_customers(
    *, actor: Actor, rows: Iterable[tuple[int, dict]], progress: Callable[[], None] | None = None
) -> ImportReport:
    report = ImportReport()
    for line, row in rows:
        exists = Customer.objects.filter(
            reseller=actor.reseller,
            company_name__iexact=row.get("company_name", ""),
            domain__iexact=row.get("domain", ""),
        ).exists()
        if exists:
            report.skipped += 1
        else:
            try:
                customer_create(actor=actor, data=row, invite=False)
                report.created += 1
            except DomainError as error:
                report.errors.append((line, f"{error.param or 'row'}: {error.message}"))
        if progress:
            progress()
    return report


def export_customers(tenant: Tenant, *, customer_id: str | None = None) -> Iterator[str]:
    header = ["id", *CUSTOMER_COLUMNS, "status", "created_at"]
    customers = customer_list(tenant)
    if customer_id:
        customers = customers.filter(public_id=customer_id)
    rows = (
        [c.public_id, *(getattr(c, name) for name in CUSTOMER_COLUMNS), c.status, c.created_at]
        for c in customers.iterator(chunk_size=1000)
    )
    return csv_lines(header, rows)
