from django.contrib import admin

from partnerdesk.invitations.models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations change through their services (resend, cancel, accept)."""

    list_display = ["created_at", "kind", "email", "status", "reseller", "customer", "expires_at"]
    list_filter = ["kind", "status"]
    search_fields = ["email", "public_id"]
    list_select_related = ["reseller", "customer"]
    exclude = ["token_hash"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
