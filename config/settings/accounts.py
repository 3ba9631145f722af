"""Sign-in with django-allauth: e-mail and password, TOTP, optional Google / Microsoft."""

from __future__ import annotations

from config import env

# Django's and allauth's, loading the signed-in user faster (partnerdesk/accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "partnerdesk.accounts.backends.ModelBackend",
    "partnerdesk.accounts.backends.AuthenticationBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "partnerdesk.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "partnerdesk.accounts.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[partnerdesk] "
# Failed logins: 10 a minute from one address, and 5 in 5 minutes for one (address, login)
# pair. Both are checked before the password is hashed. The per-login limit is keyed by
# address too (see AccountAdapter), so a burst from one place cannot lock the real user out.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "partnerdesk"

SOCIALACCOUNT_EMAIL_AUTHENTICATION = True  # a verified Google/Microsoft address signs in its existing user
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_PROVIDERS: dict = {}
SOCIAL_PROVIDER_APPS: list[str] = []

_google_id, _google_secret = env.get("PARTNERDESK_GOOGLE_CLIENT_ID"), env.get("PARTNERDESK_GOOGLE_CLIENT_SECRET")
if _google_id and _google_secret:
    SOCIAL_PROVIDER_APPS.append("allauth.socialaccount.providers.google")
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{"client_id": _google_id, "secret": _google_secret}],
        "SCOPE": ["openid", "email", "profile"],
    }
_ms_id, _ms_secret = env.get("PARTNERDESK_MICROSOFT_CLIENT_ID"), env.get("PARTNERDESK_MICROSOFT_CLIENT_SECRET")
if _ms_id and _ms_secret:
    SOCIAL_PROVIDER_APPS.append("allauth.socialaccount.providers.microsoft")
    SOCIALACCOUNT_PROVIDERS["microsoft"] = {
        "APPS": [{"client_id": _ms_id, "secret": _ms_secret, "settings": {"tenant": "organizations"}}],
    }

ACCOUNT_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    *SOCIAL_PROVIDER_APPS,
]

# Behind a reverse proxy, the number of proxies whose X-Forwarded-For entry is trusted for
# the client address (login throttling counts per address). 0: the socket's address.
ALLAUTH_TRUSTED_PROXY_COUNT = int(env.get("PARTNERDESK_TRUSTED_PROXIES") or 0)
