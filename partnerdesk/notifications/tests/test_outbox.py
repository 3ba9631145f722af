import logging
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from django.db import transaction
from django.utils import timezone

from config.env import email_settings
from partnerdesk.notifications import services
from partnerdesk.notifications.backends import LogEmailBackend
from partnerdesk.notifications.models import OutboxEmail
from partnerdesk.notifications.testing import free_port, html_of, links_in, subject_of, text_of

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: delivery runs on commit


class FakeCustomer:
    company_name = "Amstel Logistiek B.V."


def enqueue(to="it@amstel.example", language="en", sensitive=False):
    return services.email_enqueue(
        to=to,
        template="trial_ending",
        language=language,
        sensitive=sensitive,
        context={
            "product": "Signatures for Microsoft 365",
            "customer": FakeCustomer(),
            "trial_ends_at": datetime(2026, 3, 24, 9, 30, tzinfo=UTC),
            "link": "http://127.0.0.1:8000/x/",
        },
    )


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("en", "The Signatures for Microsoft 365 trial of Amstel Logistiek B.V. ends on 24 March 2026"),
        ("de", "Die Testphase von Signatures for Microsoft 365 für Amstel Logistiek B.V. endet am 24. März 2026"),
        ("nl", "De proefperiode van Signatures for Microsoft 365 voor Amstel Logistiek B.V. eindigt op 24 maart 2026"),
        ("fr", "The Signatures for Microsoft 365 trial of Amstel Logistiek B.V. ends on 24 March 2026"),
    ],
    ids=["english", "german", "dutch", "unknown-language-falls-back-to-english"],
)
def test_an_email_is_sent_in_the_recipients_language_as_text_and_html(inbox, language, subject):
    with transaction.atomic():
        enqueue(language=language)
    [message] = inbox.messages
    assert subject_of(message) == subject
    assert message["To"] == "it@amstel.example"
    assert "Amstel Logistiek B.V." in text_of(message)
    assert "<p>" in html_of(message) and "Amstel Logistiek B.V." in html_of(message)
    assert links_in(message) == ["http://127.0.0.1:8000/x/"]
    row = OutboxEmail.objects.get()
    assert (row.status, row.attempts, row.language) == ("sent", 1, language)
    assert message["Message-ID"] == f"<{row.public_id}@127.0.0.1>"


def test_nothing_is_sent_before_the_commit_and_nothing_after_a_rollback(inbox):
    with transaction.atomic():
        enqueue(to="first@amstel.example")
        assert inbox.messages == []
    assert [m["To"] for m in inbox.messages] == ["first@amstel.example"]

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        enqueue(to="second@amstel.example")
        raise Abort
    assert [m["To"] for m in inbox.messages] == ["first@amstel.example"]
    assert list(OutboxEmail.objects.values_list("to", flat=True)) == ["first@amstel.example"]


def test_an_unreachable_server_leaves_the_email_queued_and_a_retry_delivers_it(settings, smtp_server):
    inbox = smtp_server.inbox
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens here
    with transaction.atomic():
        row = enqueue(sensitive=True)
    row.refresh_from_db()
    assert inbox.messages == []
    assert (row.status, row.attempts, row.claimed_until) == ("pending", 1, None)
    assert "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at >= row.created_at + services.BACKOFF[0]
    assert "Amstel" in row.body_text  # kept until delivered

    # Not due yet: the retry job leaves it alone.
    assert services.outbox_retry_due() == 0
    settings.EMAIL_PORT = real_port
    assert services.outbox_retry_due(now=row.next_attempt_at) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    assert row.body_text == services.SCRUBBED and row.body_html == ""  # it held a personal link
    assert len(inbox.messages) == 1
    # Idempotent: delivering again, or retrying, sends nothing more.
    assert services.outbox_deliver(email_id=row.pk, now=row.next_attempt_at) is False
    assert services.outbox_retry_due(now=row.next_attempt_at + timedelta(days=1)) == 0
    assert len(inbox.messages) == 1


def test_the_backoff_grows_and_the_email_is_given_up_only_after_many_attempts(settings, smtp_server):
    settings.EMAIL_PORT = free_port()
    with transaction.atomic():
        row = enqueue()
    waits = []
    for _ in range(services.MAX_ATTEMPTS - 1):
        row.refresh_from_db()
        waits.append(row.next_attempt_at)
        services.outbox_deliver(email_id=row.pk, now=row.next_attempt_at)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", services.MAX_ATTEMPTS)
    gaps = [round((b - a).total_seconds()) for a, b in pairwise(waits)]
    assert gaps[:5] == [300, 1800, 7200, 21600, 21600]


def test_a_claimed_email_is_not_sent_by_a_second_worker(inbox):
    with transaction.atomic():
        row = OutboxEmail.objects.create(to="a@b.example", from_email="x@y.example", subject="s", body_text="b")
        OutboxEmail.objects.filter(pk=row.pk).update(claimed_until=timezone.now() + timedelta(minutes=5))
    assert services.outbox_deliver(email_id=row.pk) is False
    assert inbox.messages == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://127.0.0.1:1025",
            {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": 1025, "EMAIL_USE_SSL": False, "EMAIL_USE_TLS": False},
        ),
        (
            "smtps://mailer%40example.com:s%3Acret@mail.example.com:465",
            {
                "EMAIL_HOST": "mail.example.com",
                "EMAIL_PORT": 465,
                "EMAIL_HOST_USER": "mailer@example.com",
                "EMAIL_HOST_PASSWORD": "s:cret",
                "EMAIL_USE_SSL": True,
            },
        ),
        ("smtp://mail.example.com?tls=1", {"EMAIL_PORT": 25, "EMAIL_USE_TLS": True}),
        ("", {"EMAIL_BACKEND": "partnerdesk.notifications.backends.LogEmailBackend"}),
    ],
    ids=["plain", "smtps-with-credentials", "starttls", "unset-logs"],
)
def test_email_url(url, expected):
    config = email_settings(url)
    assert {key: config[key] for key in expected} == expected


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://"], ids=["scheme", "no-host"])
def test_a_bad_email_url_stops_with_one_line(url):
    with pytest.raises(SystemExit, match="EMAIL_URL must look like"):
        email_settings(url)


def test_without_email_url_messages_go_to_the_log(caplog):
    from django.core.mail import EmailMessage

    with caplog.at_level(logging.INFO, logger="partnerdesk.email"):
        sent = LogEmailBackend().send_messages([EmailMessage("Hello", "Body text", "a@b.example", ["c@d.example"])])
    assert sent == 1
    assert "To: c@d.example" in caplog.text and "Subject: Hello" in caplog.text and "Body text" in caplog.text


class TestRenderedWhenSent:
    """E-mails written in bulk (the billing run's "invoice issued") are rendered on delivery."""

    @pytest.fixture
    def renderer(self):
        calls = []

        def context_of(render_from, language):
            calls.append((render_from, language))
            return {
                "product": render_from["product"],
                "customer": FakeCustomer(),
                "trial_ends_at": datetime(2026, 3, 24, 9, 30, tzinfo=UTC),
                "link": "http://127.0.0.1:8000/x/",
            }

        services.register_renderer("trial_ending", context_of)
        yield calls
        services._RENDERERS.pop("trial_ending")

    def test_the_row_is_rendered_in_its_language_when_it_is_delivered_and_keeps_what_was_sent(self, inbox, renderer):
        with transaction.atomic():
            row = services.email_build_unrendered(
                to="it@amstel.example", template="trial_ending", render_from={"product": "Backup"}, language="de"
            )
            services.outbox_add_many([row], keys=False)
            assert renderer == []  # nothing rendered inside the change's transaction
        [message] = inbox.messages
        assert subject_of(message) == "Die Testphase von Backup für Amstel Logistiek B.V. endet am 24. März 2026"
        assert renderer == [({"product": "Backup"}, "de")]
        row = OutboxEmail.objects.get()
        assert (row.status, row.subject, row.render_from) == ("sent", subject_of(message), None)
        assert "Amstel Logistiek B.V." in row.body_text

    def test_a_failing_render_counts_as_a_failed_attempt_and_is_retried(self, inbox, renderer):
        with transaction.atomic():
            row = services.email_build_unrendered(
                to="it@amstel.example", template="trial_ending", render_from={"no": "product"}
            )
            services.outbox_add_many([row], keys=False)
        row = OutboxEmail.objects.get()
        assert (row.status, row.attempts, row.subject) == ("pending", 1, "")
        assert "KeyError" in row.last_error
        assert inbox.messages == []

    def test_only_templates_with_a_renderer_can_be_written_unrendered(self):
        with pytest.raises(ValueError, match="no renderer"):
            services.email_build_unrendered(to="a@b.example", template="trial_ending", render_from={})

    def test_the_database_refuses_a_row_that_is_neither_rendered_nor_renderable(self):
        from django.db import IntegrityError

        with pytest.raises(IntegrityError), transaction.atomic():
            OutboxEmail.objects.create(to="a@b.example", from_email="x@y.example", subject="", body_text="")
