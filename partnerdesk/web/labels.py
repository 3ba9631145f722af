"""Translated names for the values the domain stores as codes (statuses, roles, methods)."""

from django.utils.translation import gettext_lazy as _

SUBSCRIPTION_STATUS = {
    "trial": _("Trial"),
    "active": _("Active"),
    "past_due": _("Past due"),
    "suspended": _("Suspended"),
    "cancelled": _("Cancelled"),
    "expired": _("Expired"),
}
CUSTOMER_STATUS = {"invited": _("Invited"), "active": _("Active")}
MEMBER_STATUS = {"invited": _("Invited"), "active": _("Active")}
ROLE = {"owner": _("Owner"), "admin": _("Admin"), "billing": _("Billing"), "viewer": _("Viewer")}
PAYMENT_METHOD = {"card": _("Card"), "bank_transfer": _("Bank transfer")}
ADMIN_KIND = {"reseller": _("Reseller"), "customer": _("Customer")}
INVOICE_STATUS = {"open": _("Open"), "paid": _("Paid"), "void": _("Void")}
INVOICE_KIND = {"invoice": _("Invoice"), "credit_note": _("Credit note")}
