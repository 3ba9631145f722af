"""Read-only back-office views: changes go through the services (audited), not the admin."""

from django.contrib import admin
from django.db import models

from partnerdesk.webhooks.models import Delivery, DeliveryAttempt, Event, WebhookEndpoint


class ReadOnly(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnly):
    list_display = ["created_at", "public_id", "type", "reseller", "customer"]
    list_filter = ["type"]
    search_fields = ["public_id"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnly):
    list_display = ["public_id", "url", "reseller", "product", "enabled", "consecutive_failures", "deleted_at"]
    list_filter = ["enabled"]
    exclude = ["secret", "previous_secret"]


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["number", "attempted_at", "succeeded", "status_code", "duration_ms", "error", "response_excerpt"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ["public_id", "event", "endpoint", "status", "attempts", "next_attempt_at"]
    list_filter = ["status"]
    search_fields = ["public_id", "event__public_id"]
    exclude = ["claim_token"]
    inlines = [AttemptInline]
