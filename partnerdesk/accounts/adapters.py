"""How allauth fits partnerdesk: no open sign-up, per-address login throttling, e-mail
through the outbox."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest
from django.utils import translation

from partnerdesk.accounts.models import User
from partnerdesk.notifications.services import outbox_add


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """People join by invitation (or the vendor creates resellers), never by sign-up."""
        return False

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Failed logins are counted per (client address, login), not per login alone:
        otherwise anyone could lock a user out by failing to log in as them. The per-address
        limit (10 a minute) still stops one address from trying many logins."""
        return f"{self.get_client_ip(request)}|{super()._get_login_attempts_cache_key(request, **credentials)}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's e-mails (password reset, verification) go through the outbox like ours,
        in the recipient's language."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        user = User.objects.filter(email__iexact=email).only("language").first()
        language = user.language if user is not None else translation.get_language() or "en"
        with translation.override(language):
            message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), ""
        )
        outbox_add(
            to=email,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            template=template_prefix.rsplit("/", 1)[-1],
            language=language,
            sensitive=True,
        )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        """Google / Microsoft sign in existing users (matched by verified e-mail) only."""
        return False
