from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "partnerdesk.subscriptions"
    label = "subscriptions"
