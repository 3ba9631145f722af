from django.contrib import admin

from partnerdesk.catalog.models import Plan, Product


class PlanInline(admin.TabularInline):
    model = Plan
    extra = 0
    fields = [
        "code",
        "name",
        "term_months",
        "price_per_seat",
        "currency",
        "trial_days",
        "min_seats",
        "max_seats",
        "proration_policy",
        "is_active",
    ]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_active"]
    search_fields = ["name", "code"]
    readonly_fields = ["public_id"]
    inlines = [PlanInline]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "product",
        "term_months",
        "price_per_seat",
        "currency",
        "trial_days",
        "proration_policy",
        "is_active",
    ]
    list_filter = ["product", "term_months", "is_active"]
    search_fields = ["code", "name"]
