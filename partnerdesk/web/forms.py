"""Console forms: they parse what people type; every rule is in the services.

``add_domain_error`` ties a service's ``DomainError`` to the field its ``param`` names,
so the form re-renders with the message next to that field and keeps the input.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerdesk.core.errors import DomainError
from partnerdesk.web.errors import localized

COUNTRY_HELP = _("Two letters, e.g. DE, NL, AT.")


def add_domain_error(form: forms.Form, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Attach ``error`` to the field named by its param (or an alias of it), else to the form."""
    param = (aliases or {}).get(error.param or "", error.param)
    field = param if param in form.fields else None
    if form.is_bound and not hasattr(form, "cleaned_data"):
        form.is_valid()
    form.add_error(field, localized(error))


class NewSubscriptionForm(forms.Form):
    customer = forms.ChoiceField(label=_("Existing or new customer"), required=False)
    company_name = forms.CharField(label=_("Customer company name"), max_length=200, required=False)
    country = forms.CharField(label=_("Country"), max_length=2, required=False, help_text=COUNTRY_HELP)
    vat_id = forms.CharField(
        label=_("VAT ID"),
        max_length=20,
        required=False,
        help_text=_("EU customers with a valid VAT ID are invoiced without VAT (reverse charge)."),
    )
    product = forms.ChoiceField(label=_("Product"))
    term = forms.TypedChoiceField(
        label=_("Term"),
        choices=[("1", _("1 month")), ("12", _("12 months"))],
        coerce=int,
        initial="12",
        widget=forms.RadioSelect,
    )
    seats = forms.IntegerField(label=_("Number of users"), min_value=1, max_value=100000, initial=1)
    payment_method = forms.ChoiceField(
        label=_("Payment method"),
        choices=[("bank_transfer", _("Bank transfer")), ("card", _("Card"))],
        initial="bank_transfer",
        widget=forms.RadioSelect,
    )
    customer_can_manage = forms.BooleanField(
        label=_("Can customers manage?"),
        required=False,
        help_text=_("The customer's contact is invited as an admin and can manage members. No access to billing."),
    )
    contact_name = forms.CharField(label=_("Customer contact name"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Customer e-mail address"), required=False)

    def __init__(self, *args, customers=(), products=(), customers_cut: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = [("", _("A new customer"))] + [
            (c.public_id, c.company_name) for c in customers
        ]
        if customers_cut:
            self.fields["customer"].help_text = _(
                "You have many customers: only the one you act on is listed here. "
                "To choose another, find it under “Acting on” above."
            )
        self.fields["product"].choices = [("", _("Choose a product"))] + [(p.code, p.name) for p in products]


class _PrefixedIds(forms.Form):
    """Several forms share a page (members, admins, licenses, cancel): each gets its own
    element ids, so every label, error and aria-describedby points at the right field."""

    id_prefix = "id"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class MemberForm(_PrefixedIds):
    id_prefix = "member"
    email = forms.EmailField(label=_("E-mail address of the new member"))


class AdminForm(_PrefixedIds):
    id_prefix = "admin"
    email = forms.EmailField(label=_("E-mail address of the new admin"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    can_purchase = forms.BooleanField(label=_("May buy licenses"), required=False)
    confirm_purchase = forms.BooleanField(
        label=_("I understand: this admin buys at list price, without my reseller discount."), required=False
    )


class CancelForm(_PrefixedIds):
    id_prefix = "cancel"
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)


class SeatsForm(_PrefixedIds):
    id_prefix = "licenses"
    seats = forms.IntegerField(label=_("Number of licenses"), min_value=1, max_value=100000)


class CustomerForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    contact_name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail address"), required=False)
    domain = forms.CharField(label=_("Domain"), max_length=253, required=False)
    country = forms.CharField(label=_("Country"), max_length=2, help_text=COUNTRY_HELP)
    vat_id = forms.CharField(label=_("VAT ID"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    language = forms.ChoiceField(
        label=_("Language"), choices=[("en", "English"), ("de", "Deutsch"), ("nl", "Nederlands")]
    )


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name of the key"), max_length=100, required=False)


class PartnerRequestForm(forms.Form):
    reseller = forms.CharField(
        label=_("Reseller's name"),
        max_length=200,
        widget=forms.TextInput(attrs={"list": "reseller-names", "autocomplete": "off"}),
    )


class TeamInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of your colleague"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("admin", _("Admin")), ("billing", _("Billing")), ("viewer", _("Viewer")), ("owner", _("Owner"))],
        initial="admin",
    )


class ResellerSettingsForm(forms.Form):
    contact_email = forms.EmailField(label=_("Contact e-mail address"), required=False)
    vat_id = forms.CharField(label=_("VAT ID"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    language = forms.ChoiceField(
        label=_("Language of e-mails and invoices"),
        choices=[("en", "English"), ("de", "Deutsch"), ("nl", "Nederlands")],
    )


class NewCustomerForm(forms.Form):
    """Seed 002's "new customer": name, e-mail, domain and organisation, then the invitation."""

    contact_name = forms.CharField(label=_("Contact name"), max_length=200)
    contact_email = forms.EmailField(label=_("Contact e-mail address"))
    domain = forms.CharField(label=_("Domain"), max_length=253, required=False, help_text=_("e.g. example.com"))
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    country = forms.CharField(label=_("Country"), max_length=2, help_text=COUNTRY_HELP)
    vat_id = forms.CharField(label=_("VAT ID"), max_length=20, required=False)


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(label=_("Endpoint URL"), max_length=2000, help_text=_("https:// and a public address."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every event."),
    )

    def __init__(self, *args, event_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = [(t, t) for t in event_types]
