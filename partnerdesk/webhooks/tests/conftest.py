import pytest

from partnerdesk.webhooks.tests.receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def allow_local(settings):
    """Let webhooks reach the local receiver (PARTNERDESK_WEBHOOK_ALLOW_HOSTS=127.0.0.1)."""
    settings.WEBHOOK_ALLOW_HOSTS = ["127.0.0.1"]
    return settings
