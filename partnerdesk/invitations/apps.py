from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    name = "partnerdesk.invitations"
    label = "invitations"
