"""Service error messages in the reader's language.

Services raise ``DomainError`` with an English message (the API shows it as is). The
console shows the same message translated: each known message is matched here, its
variable parts kept. An unknown message is shown in English rather than hidden.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from partnerdesk.core.errors import DomainError
from partnerdesk.web import labels

_MESSAGES = [
    (
        r"No free seat: all (?P<seats>\d+) licenses are assigned\. Add licenses first\.",
        _("No free seat: all %(seats)s licenses are assigned. Add licenses first."),
    ),
    (
        r"(?P<email>\S+) already holds a license in this subscription\.",
        _("%(email)s already holds a license in this subscription."),
    ),
    (
        r"(?P<email>\S+) is already an admin of this subscription\.",
        _("%(email)s is already an admin of this subscription."),
    ),
    (r"(?P<email>\S+) is already an admin of (?P<name>.+)\.", _("%(email)s is already an admin of %(name)s.")),
    (r"(?P<email>\S+) is already in your team\.", _("%(email)s is already in your team.")),
    (
        r"(?P<n>\d+) seats are assigned to members; remove members first\.",
        _("%(n)s licenses are assigned to members; remove members first."),
    ),
    (r"The subscription already has (?P<n>\d+) seats\.", _("The subscription already has %(n)s licenses.")),
    (r"This plan allows at most (?P<n>\d+) seats\.", _("This plan allows at most %(n)s licenses.")),
    (r"This plan needs at least (?P<n>\d+) seat\(s\)\.", _("This plan needs at least %(n)s license(s).")),
    (r"seats must be a whole number\.", _("Enter a whole number.")),
    (
        r"'(?P<value>.*)' is not a valid EU VAT ID \(format or check digit\)\.",
        _("'%(value)s' is not a valid EU VAT ID (format or check digit)."),
    ),
    (r"'(?P<value>.*)' is not a valid VAT ID\.", _("'%(value)s' is not a valid VAT ID.")),
    (
        r"The VAT ID '(?P<value>.*)' does not belong to country (?P<country>\w+)\.",
        _("The VAT ID '%(value)s' does not belong to country %(country)s."),
    ),
    (r"'(?P<value>.*)' is not a valid e-mail address\.", _("'%(value)s' is not a valid e-mail address.")),
    (r"'(?P<value>.*)' is not a valid domain name\.", _("'%(value)s' is not a valid domain name.")),
    (
        r"'(?P<value>.*)' is not an ISO 3166 country code such as DE or NL\.",
        _("'%(value)s' is not a country code such as DE or NL."),
    ),
    (r"\S+ is required\.", _("This field is required.")),
    (r"\S+ is longer than (?P<n>\d+) characters\.", _("At most %(n)s characters.")),
    (r"Your role \((?P<role>\w+)\) may not do this\.", _("Your role (%(role)s) may not do this.")),
    (r"Cannot .+: the subscription is (?P<status>\w+)\.", _("Not possible: the subscription is %(status)s.")),
    (r"This subscription has already ended\.", _("This subscription has already ended.")),
    (r"This subscription has ended\.", _("This subscription has ended.")),
    (
        r"This subscription is already cancelled at the period end\.",
        _("This subscription is already cancelled at the period end."),
    ),
    (
        r"Only a subscription cancelled at its period end can be reactivated\.",
        _("Only a subscription cancelled at its period end can be reactivated."),
    ),
    (
        r"The period has ended; create a new subscription instead\.",
        _("The period has ended; create a new subscription instead."),
    ),
    (r"No seat reduction is scheduled\.", _("No license reduction is scheduled.")),
    (
        r"The subscription ends at the period end; nothing to reduce\.",
        _("The subscription ends at the period end; nothing to reduce."),
    ),
    (
        r"A reduction needs fewer seats than the subscription has\.",
        _("A reduction needs fewer licenses than the subscription has."),
    ),
    (r"The reseller's admin cannot be removed\.", _("The reseller's admin cannot be removed.")),
    (r"Your reseller manages this subscription\.", _("Your reseller manages this subscription.")),
    (
        r"Your reseller manages this subscription; you have no purchase rights\.",
        _("Your reseller manages this subscription; you have no purchase rights."),
    ),
    (r"Only the reseller can grant purchase rights\.", _("Only the reseller can grant purchase rights.")),
    (r"A customer who can manage needs a contact e-mail\.", _("A customer who can manage needs a contact e-mail.")),
    (r"An invitation needs the contact's e-mail address\.", _("An invitation needs the contact's e-mail address.")),
    (r"This plan is not for sale\.", _("This plan is not for sale.")),
    (
        r"An invitation for (?P<email>\S+) is already pending; resend or cancel it\.",
        _("An invitation for %(email)s is already pending; resend or cancel it."),
    ),
    (r"Another invitation for this address is pending\.", _("Another invitation for this address is pending.")),
    (r"This invitation is (?P<status>\w+); it cannot be resent\.", _("This invitation can no longer be resent.")),
    (
        r"This invitation is (?P<status>\w+); only a pending one can be cancelled\.",
        _("Only a pending invitation can be cancelled."),
    ),
    (r"This request is (?P<status>\w+)\.", _("This request has already been answered.")),
    (r"This request has expired\.", _("This request has expired.")),
    (r"A request can be resent once an hour\.", _("A request can be resent once an hour.")),
    (
        r"Your current reseller still manages live subscriptions; cancel them first\.",
        _("Your current reseller still manages live subscriptions; cancel them first."),
    ),
    (r"(?P<reseller>.+) already manages (?P<customer>.+)\.", _("%(reseller)s already manages %(customer)s.")),
    (r"(?P<reseller>.+) has no contact address yet\.", _("%(reseller)s has no contact address yet.")),
    (r"No such (?P<what>.+)\.", _("Not found.")),
    (r"Webhook URLs must use https\.", _("Webhook URLs must use https.")),
    (r"Webhook URLs must point to a public address\.", _("Webhook URLs must point to a public address.")),
    (r"A webhook URL of at most 2000 characters is required\.", _("Enter the endpoint's URL.")),
    (r"At most (?P<n>\d+) webhook endpoints per reseller\.", _("At most %(n)s webhook endpoints per reseller.")),
    # The console's own lookups (web/selectors.py).
    (r"Choose a product\.", _("Choose a product.")),
    (r"Choose a term of 1 or 12 months\.", _("Choose a term of 1 or 12 months.")),
    (r"This product is not sold with this term\.", _("This product is not sold with this term.")),
    (
        r"No reseller with this name; type its name as shown in the list\.",
        _("No reseller with this name; type its name as shown in the list."),
    ),
]
_COMPILED = [(re.compile(pattern), template) for pattern, template in _MESSAGES]


def localized(error: DomainError | str) -> str:
    """The error's message in the active language (English when it is not known here)."""
    message = error.message if isinstance(error, DomainError) else error
    for pattern, template in _COMPILED:
        match = pattern.fullmatch(message)
        if match is not None:
            values = match.groupdict()
            if "status" in values:
                values["status"] = str(labels.SUBSCRIPTION_STATUS.get(values["status"], values["status"])).lower()
            if "role" in values:
                values["role"] = str(labels.ROLE.get(values["role"], values["role"]))
            return str(template) % values if values else str(template)
    return message
