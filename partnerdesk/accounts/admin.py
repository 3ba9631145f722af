from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from partnerdesk.accounts import services
from partnerdesk.accounts.models import ApiKey, Reseller, ResellerMembership, User, Vendor
from partnerdesk.core.actors import Actor
from partnerdesk.core.errors import DomainError


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "name", "language"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "vat_id"]


class MembershipInline(admin.TabularInline):
    model = ResellerMembership
    extra = 0
    fields = ["user", "role"]
    autocomplete_fields = ["user"]


@admin.register(Reseller)
class ResellerAdmin(admin.ModelAdmin):
    """Vendor staff approve, suspend and set discounts here; those changes go through
    the reseller service so they are validated and audited like any other write."""

    list_display = ["name", "country", "discount_percent", "status", "parent", "created_at"]
    list_filter = ["status", "country"]
    search_fields = ["name", "vat_id", "contact_email"]
    readonly_fields = ["public_id", "created_at"]
    inlines = [MembershipInline]
    actions = ["approve", "suspend"]

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        tracked = {k: form.cleaned_data[k] for k in ("discount_percent", "status") if k in form.changed_data}
        other = [k for k in form.changed_data if k not in tracked]
        if other:
            Reseller.objects.filter(pk=obj.pk).update(**{k: getattr(obj, k) for k in other})
        if tracked:
            try:
                services.reseller_update(actor=Actor.vendor_user(request.user), reseller=obj, data=tracked)
            except DomainError as error:
                self.message_user(request, error.message, level="error")

    def _set_status(self, request, queryset, status):
        actor = Actor.vendor_user(request.user)
        for reseller in queryset:
            services.reseller_update(actor=actor, reseller=reseller, data={"status": status})

    @admin.action(description="Approve selected resellers")
    def approve(self, request, queryset):
        self._set_status(request, queryset, Reseller.Status.ACTIVE)

    @admin.action(description="Suspend selected resellers")
    def suspend(self, request, queryset):
        self._set_status(request, queryset, Reseller.Status.SUSPENDED)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "reseller", "is_vendor", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["public_id", "prefix", "key_hash", "reseller", "is_vendor", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # keys are created with `partnerdesk apikey create`, shown once
