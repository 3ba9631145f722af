from django.contrib import admin

from partnerdesk.webhooks.models import Delivery, Event, WebhookEndpoint


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "public_id", "type", "reseller", "customer"]
    list_filter = ["type"]
    search_fields = ["public_id"]
    readonly_fields = ["public_id", "type", "reseller", "customer", "data", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["public_id", "url", "reseller", "product", "enabled", "consecutive_failures", "deleted_at"]
    list_filter = ["enabled"]
    exclude = ["secret", "previous_secret"]
    readonly_fields = ["public_id", "created_at", "disabled_at", "failing_since", "consecutive_failures"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["public_id", "event", "endpoint", "status", "attempts", "next_attempt_at"]
    list_filter = ["status"]
    search_fields = ["public_id", "event__public_id"]
    readonly_fields = ["public_id", "event", "endpoint", "attempts", "last_attempt_at", "created_at"]
