from django.contrib import admin

from partnerdesk.customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["company_name", "reseller", "country", "status", "created_at"]
    list_filter = ["status", "country", "reseller"]
    search_fields = ["company_name", "contact_email", "domain", "public_id"]
    list_select_related = ["reseller"]

    def has_change_permission(self, request, obj=None):
        return False  # resellers own their customers' data; vendor staff look only

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
