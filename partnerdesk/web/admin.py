"""Back office additions for vendor staff: every invoice, with "record payment" and the PDF.

Registered from the console app because the billing app has no admin of its own; if it
gets one, that one wins (it is registered first, see INSTALLED_APPS order).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from partnerdesk.billing.models import Invoice, InvoiceLine
from partnerdesk.billing.pdf import invoice_pdf
from partnerdesk.billing.services import invoice_record_payment
from partnerdesk.core.actors import Actor
from partnerdesk.core.errors import DomainError


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = ["position", "product_name", "charge", "seats", "months", "days", "amount", "discount"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class PaymentForm(forms.Form):
    reference = forms.CharField(label="Payment reference (bank statement line, card payment id)", max_length=200)


class InvoiceAdmin(admin.ModelAdmin):
    """Invoices are immutable once issued: vendor staff look, download and record payments
    (through the billing service, which audits and reactivates suspended subscriptions)."""

    list_display = ["number", "kind", "issued_at", "buyer_name", "customer", "total", "currency", "status", "pdf_link"]
    list_filter = ["status", "kind", "payment_method", "currency"]
    search_fields = ["number", "buyer_name", "customer__company_name", "subscription__public_id"]
    date_hierarchy = "issued_at"
    inlines = [InvoiceLineInline]
    actions = ["record_payment"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view), name="billing_invoice_pdf"),
            *super().get_urls(),
        ]

    @admin.display(description="PDF")
    def pdf_link(self, obj: Invoice) -> str:
        return format_html('<a href="{}">PDF</a>', reverse("admin:billing_invoice_pdf", args=[obj.pk]))

    def pdf_view(self, request, pk: int) -> HttpResponse:
        invoice = get_object_or_404(Invoice, pk=pk)
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
        return response

    @admin.action(description="Record payment for the selected invoices")
    def record_payment(self, request, queryset):
        form = PaymentForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            actor = Actor.vendor_user(request.user)
            done = 0
            for invoice in queryset.order_by("pk"):
                try:
                    invoice_record_payment(actor=actor, invoice=invoice, reference=form.cleaned_data["reference"])
                    done += 1
                except DomainError as error:
                    self.message_user(request, f"{invoice.number}: {error.message}", level=messages.ERROR)
            if done:
                self.message_user(request, f"Payment recorded for {done} invoice(s).", level=messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Record payment",
            "invoices": queryset,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "web/admin/record_payment.html", context)


if not admin.site.is_registered(Invoice):
    admin.site.register(Invoice, InvoiceAdmin)
