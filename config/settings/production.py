"""The settings `partnerdesk` uses by default."""

from config.settings.base import *  # noqa: F403
