from django.contrib import admin

from partnerdesk.subscriptions.models import Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "public_id",
        "customer",
        "reseller",
        "plan",
        "status",
        "seats",
        "assigned",
        "next_payment_date",
        "archived",
    ]
    list_filter = ["status", "archived", "plan__product"]
    search_fields = ["public_id", "customer__company_name"]
    list_select_related = ["customer", "reseller", "plan__product"]

    def has_change_permission(self, request, obj=None):
        return False  # changes go through the services (console and API), never raw edits

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
