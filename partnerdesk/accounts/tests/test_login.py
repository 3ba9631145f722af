"""Signing in with allauth: e-mail + password, logout, password reset and verification by
real e-mail, TOTP, throttling before hashing, session rotation, closed sign-up."""

import importlib
import time
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.conf import settings as django_settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache

from partnerdesk.accounts.models import User
from partnerdesk.notifications.testing import links_in, subject_of

pytestmark = pytest.mark.django_db(transaction=True)  # e-mail leaves on commit
PASSWORD = "correct horse battery staple"


class CountingHasher(MD5PasswordHasher):
    """Django's test hasher, counting how often a password is hashed."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sophie(db) -> User:
    user = User.objects.create_user(email="sophie@amstel.example", password=PASSWORD, name="Sophie Bakker")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def log_in(client, email, password, address="192.0.2.10"):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address)


def signed_in_as(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).email if user_id else None


def test_login_by_email_and_password_rotates_the_session_and_logout_ends_it(client, sophie):
    session = client.session
    session["before_login"] = "anonymous"
    session.save()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key
    old_key = session.session_key

    response = log_in(client, "Sophie@Amstel.example", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == "sophie@amstel.example"
    assert client.cookies[django_settings.SESSION_COOKIE_NAME].value != old_key
    assert not session.exists(old_key)

    client.post("/accounts/logout/")
    assert signed_in_as(client) is None


def test_a_wrong_password_does_not_sign_in(client, sophie):
    response = log_in(client, "sophie@amstel.example", "wrong password")
    assert response.status_code == 200
    assert signed_in_as(client) is None


def test_a_burst_of_wrong_passwords_is_cut_off_before_hashing_but_the_user_still_signs_in_elsewhere(
    client, settings, sophie
):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    sophie.set_password(PASSWORD)
    sophie.save()
    attacker = "198.51.100.7"
    for _ in range(5):
        response = log_in(client, "sophie@amstel.example", "guess", attacker)
        assert response.status_code == 200 and "Too many" not in response.content.decode()

    CountingHasher.calls = 0
    for password in ["guess", "another guess", PASSWORD]:
        response = log_in(client, "sophie@amstel.example", password, attacker)
        assert "Too many failed login attempts" in response.content.decode()
    assert CountingHasher.calls == 0  # refused before any password was hashed
    assert signed_in_as(client) is None

    response = log_in(client, "sophie@amstel.example", PASSWORD, "203.0.113.20")
    assert response.status_code == 302
    assert signed_in_as(client) == "sophie@amstel.example"


def test_one_address_trying_many_logins_is_cut_off(client, settings, sophie):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    for n in range(10):
        log_in(client, f"user{n}@amstel.example", "guess", "198.51.100.8")
    CountingHasher.calls = 0
    response = log_in(client, "sophie@amstel.example", "guess", "198.51.100.8")
    assert "Too many failed login attempts" in response.content.decode()
    assert CountingHasher.calls == 0


def test_password_reset_by_email(client, inbox, sophie):
    client.post("/accounts/password/reset/", {"email": "sophie@amstel.example"})
    [message] = inbox.to("sophie@amstel.example")
    assert "Password Reset" in subject_of(message)
    [link] = links_in(message, "http://")
    response = client.get(urlsplit(link).path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else urlsplit(link).path
    new_password = "a brand new passphrase 42"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    sophie.refresh_from_db()
    assert sophie.check_password(new_password)
    client.logout()
    assert log_in(client, "sophie@amstel.example", new_password).status_code == 302


def test_an_unverified_address_must_be_verified_by_email_before_signing_in(client, inbox):
    User.objects.create_user(email="bram@amstel.example", password=PASSWORD)
    response = log_in(client, "bram@amstel.example", PASSWORD)
    assert signed_in_as(client) is None
    [message] = inbox.to("bram@amstel.example")
    [link] = [link for link in links_in(message, "http://") if "confirm-email" in link]
    assert client.post(urlsplit(link).path).status_code == 302
    assert EmailAddress.objects.get(email="bram@amstel.example").verified
    response = log_in(client, "bram@amstel.example", PASSWORD)
    assert response.status_code == 302 and signed_in_as(client) == "bram@amstel.example"


def test_totp_two_factor(client, settings, sophie):
    settings.MFA_TOTP_TOLERANCE = 1  # a code from the previous 30 s window still counts: no flake at a boundary
    secret = generate_totp_secret()
    TOTP.activate(sophie, secret)
    response = log_in(client, "sophie@amstel.example", PASSWORD)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert signed_in_as(client) is None

    counter = int(time.time()) // 30
    valid = {format_hotp_value(hotp_value(secret, counter + step)) for step in (-1, 0, 1, 2)}
    wrong = next(code for code in ("000000", "111111", "222222") if code not in valid)
    client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert signed_in_as(client) is None
    code = format_hotp_value(hotp_value(secret, counter))
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert signed_in_as(client) == "sophie@amstel.example"


def test_sign_up_is_closed(client):
    response = client.post(
        "/accounts/signup/", {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert not User.objects.filter(email="new@example.com").exists()
    assert response.status_code == 200 and "closed" in response.content.decode().lower()


def test_passwords_are_hashed_with_argon2():
    base = importlib.import_module("config.settings.base")
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_google_and_microsoft_sign_in_only_when_configured(monkeypatch):
    import config.settings.accounts as accounts_settings

    for name in [
        "PARTNERDESK_GOOGLE_CLIENT_ID",
        "PARTNERDESK_GOOGLE_CLIENT_SECRET",
        "PARTNERDESK_MICROSOFT_CLIENT_ID",
        "PARTNERDESK_MICROSOFT_CLIENT_SECRET",
    ]:
        monkeypatch.delenv(name, raising=False)
    try:
        assert importlib.reload(accounts_settings).SOCIAL_PROVIDER_APPS == []
        monkeypatch.setenv("PARTNERDESK_GOOGLE_CLIENT_ID", "id.apps.googleusercontent.com")
        monkeypatch.setenv("PARTNERDESK_GOOGLE_CLIENT_SECRET", "s3cret")
        configured = importlib.reload(accounts_settings)
        assert configured.SOCIAL_PROVIDER_APPS == ["allauth.socialaccount.providers.google"]
        assert configured.SOCIALACCOUNT_PROVIDERS["google"]["APPS"][0]["client_id"] == "id.apps.googleusercontent.com"
        assert "allauth.socialaccount.providers.google" in configured.ACCOUNT_APPS
    finally:
        monkeypatch.undo()
        importlib.reload(accounts_settings)


def test_the_back_office_signs_in_through_the_same_throttled_page(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_demo_logins_work_at_once(client):
    from partnerdesk import demo

    demo.load()
    for email in ["owner@nordwind.example", demo.VENDOR_STAFF_EMAIL]:
        client.logout()
        assert log_in(client, email, demo.DEMO_PASSWORD).status_code == 302, email
        assert signed_in_as(client) == email
