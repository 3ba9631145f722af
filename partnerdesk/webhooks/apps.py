from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "partnerdesk.webhooks"
    label = "webhooks"
