from django.contrib import admin

from partnerdesk.notifications.models import OutboxEmail


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "template", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "template"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # an e-mail is never lost: rows stay until delivered (and after)
