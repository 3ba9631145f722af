"""Template helpers: localized money, translated status names, sort links."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.http import urlencode
from django.utils.translation import get_language, to_locale

from partnerdesk.core.money import format_money
from partnerdesk.web import labels

register = template.Library()


def _locale() -> str:
    return to_locale(get_language() or "en")


@register.filter
def money(amount: Decimal | None, currency: str = "EUR") -> str:
    """1.234,56 € in German, €1,234.56 in English."""
    if amount is None:
        return ""
    return format_money(Decimal(amount), currency or "EUR", _locale())


@register.filter
def status_label(code: str) -> str:
    return str(labels.SUBSCRIPTION_STATUS.get(code, code))


@register.filter
def customer_status_label(code: str) -> str:
    return str(labels.CUSTOMER_STATUS.get(code, code))


@register.filter
def member_status_label(code: str) -> str:
    return str(labels.MEMBER_STATUS.get(code, code))


@register.filter
def role_label(code: str) -> str:
    return str(labels.ROLE.get(code, code))


@register.filter
def payment_method_label(code: str) -> str:
    return str(labels.PAYMENT_METHOD.get(code, code))


@register.filter
def admin_kind_label(code: str) -> str:
    return str(labels.ADMIN_KIND.get(code, code))


@register.simple_tag(takes_context=True)
def query(context, **changes) -> str:
    """The current query string with ``changes`` applied (None removes a key); page resets."""
    params = context["request"].GET.copy()
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = urlencode(sorted(params.items()))
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_link(context, key: str) -> str:
    """The link a column header points to: ascending first, then descending."""
    current = context["request"].GET.get("sort", "")
    target = f"-{key}" if current == key else key
    return query(context, sort=target)


@register.simple_tag(takes_context=True)
def sort_state(context, key: str) -> str:
    """aria-sort value of a column header."""
    current = context["request"].GET.get("sort", "")
    if current == key:
        return "ascending"
    if current == f"-{key}":
        return "descending"
    return "none"


@register.filter
def invoice_status_label(code: str) -> str:
    return str(labels.INVOICE_STATUS.get(code, code))


@register.filter
def invoice_kind_label(code: str) -> str:
    return str(labels.INVOICE_KIND.get(code, code))
