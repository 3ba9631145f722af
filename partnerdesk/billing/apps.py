from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "partnerdesk.billing"
    label = "billing"

    def ready(self) -> None:
        from partnerdesk.billing.notify import invoice_issued_context
        from partnerdesk.notifications.services import register_renderer

        register_renderer("invoice_issued", invoice_issued_context)
