from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router

from partnerdesk.billing import selectors
from partnerdesk.billing.pdf import invoice_pdf
from partnerdesk.billing.schemas import InvoiceOut, QuoteOut, SeatsChangedOut, SeatsIn
from partnerdesk.billing.shapes import invoice_shape, quote_shape
from partnerdesk.core.api.pagination import paginate
from partnerdesk.core.api.render import json_response
from partnerdesk.core.api.schemas import ERRORS, Page, PageQuery
from partnerdesk.subscriptions import services
from partnerdesk.subscriptions.schemas import render_subscription
from partnerdesk.subscriptions.selectors import subscription_get

router = Router(tags=["billing"])


class InvoiceFilters(PageQuery):
    customer: str | None = None
    subscription: str | None = None
    status: str | None = None


@router.post(
    "/subscriptions/{subscription_id}/seats/preview",
    response={200: QuoteOut, **ERRORS},
    summary="Quote a change to this many seats (prorated top-up now, or a reduction at renewal)",
)
def preview_seats(request, subscription_id: str, payload: SeatsIn):
    subscription = subscription_get(request.auth.tenant, subscription_id)
    quote = services.subscription_seats_preview(actor=request.auth, subscription=subscription, seats=payload.seats)
    return quote_shape(quote)


@router.post(
    "/subscriptions/{subscription_id}/seats",
    response={200: SeatsChangedOut, **ERRORS},
    summary="Order the seats: more are usable at once and invoiced; fewer take effect at renewal",
)
def change_seats(request, subscription_id: str, payload: SeatsIn):
    subscription = subscription_get(request.auth.tenant, subscription_id)
    changed, invoice = services.subscription_change_seats(
        actor=request.auth, subscription=subscription, seats=payload.seats
    )
    # Shown as this change committed them, from the service's own objects (reading both back
    # cost three queries), already in SeatsChangedOut's shape, so rendered unvalidated
    # (core/api/render.py); tests/api/test_rendering.py checks the answer against GET of each.
    return json_response(
        {
            "subscription": render_subscription(changed),
            "invoice": invoice_shape(invoice) if invoice is not None else None,
        }
    )


@router.get("/invoices", response={200: Page[InvoiceOut], **ERRORS}, summary="List invoices billed to you")
def list_invoices(request, filters: Query[InvoiceFilters]):
    qs = selectors.invoice_list(
        request.auth.tenant, customer_id=filters.customer, subscription_id=filters.subscription, status=filters.status
    )
    return paginate(
        qs, limit=filters.limit, starting_after=filters.starting_after, render=invoice_shape, created_field="issued_at"
    )


@router.get("/invoices/{invoice_id}", response={200: InvoiceOut, **ERRORS}, summary="Get an invoice")
def get_invoice(request, invoice_id: str):
    return invoice_shape(selectors.invoice_get(request.auth.tenant, invoice_id))


@router.get(
    "/invoices/{invoice_id}/pdf",
    response=ERRORS,
    summary="The invoice as a PDF",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The invoice as a PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_invoice_pdf(request, invoice_id: str):
    invoice = selectors.invoice_get(request.auth.tenant, invoice_id)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invoice-{invoice.number}.pdf"'
    return response
