from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "partnerdesk.notifications"
    label = "notifications"
