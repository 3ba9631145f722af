from django.apps import AppConfig


class RevisionsConfig(AppConfig):
    name = "partnerdesk.revisions"
    label = "revisions"
