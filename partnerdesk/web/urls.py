from django.urls import path
from django.views.i18n import set_language

from partnerdesk.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("language", set_language, name="set_language"),
    path("console/", views.dashboard, name="dashboard"),
    path("console/reseller", views.switch_reseller, name="switch_reseller"),
    path("console/acting-on", views.acting_on, name="acting_on"),
    path("console/subscriptions/new", views.subscription_new, name="subscription_new"),
    path("console/subscriptions/new/quote", views.subscription_new_quote, name="subscription_new_quote"),
    path("console/subscriptions/archived", views.archived, name="archived"),
    path("console/subscriptions/<str:public_id>/", views.subscription_detail, name="subscription"),
    path("console/subscriptions/<str:public_id>/start", views.subscription_start, name="subscription_start"),
    path("console/subscriptions/<str:public_id>/cancel", views.subscription_cancel, name="subscription_cancel"),
    path(
        "console/subscriptions/<str:public_id>/reactivate",
        views.subscription_reactivate,
        name="subscription_reactivate",
    ),
    path("console/subscriptions/<str:public_id>/seats", views.subscription_seats, name="subscription_seats"),
    path(
        "console/subscriptions/<str:public_id>/seats/quote",
        views.subscription_seats_quote,
        name="subscription_seats_quote",
    ),
    path("console/subscriptions/<str:public_id>/unreduce", views.subscription_unreduce, name="subscription_unreduce"),
    path("console/subscriptions/<str:public_id>/members", views.member_add, name="member_add"),
    path(
        "console/subscriptions/<str:public_id>/members/<str:member_id>/remove",
        views.member_remove,
        name="member_remove",
    ),
    path("console/subscriptions/<str:public_id>/admins", views.admin_add, name="admin_add"),
    path(
        "console/subscriptions/<str:public_id>/admins/<str:admin_id>/remove",
        views.admin_remove,
        name="admin_remove",
    ),
    path("console/customers/", views.customers, name="customers"),
    path("console/customers/new", views.customer_new, name="customer_new"),
    path("console/customers/<str:public_id>/edit", views.customer_edit, name="customer_edit"),
    path(
        "console/customers/<str:public_id>/invitation/<str:action>",
        views.customer_invitation,
        name="customer_invitation",
    ),
    path("console/invoices/", views.invoices, name="invoices"),
    path("console/invoices/<str:public_id>/", views.invoice_detail, name="invoice"),
    path("console/invoices/<str:public_id>/pdf", views.invoice_download, name="invoice_pdf"),
    path("console/requests/<str:public_id>/<str:action>", views.relationship_request, name="relationship_request"),
    path("console/team", views.team, name="team"),
    path("console/team/invitations/<str:public_id>/<str:action>", views.team_invitation, name="team_invitation"),
    path("console/settings", views.settings_page, name="settings"),
    path("console/api-keys", views.api_keys, name="api_keys"),
    path("console/api-keys/<str:public_id>/revoke", views.api_key_revoke, name="api_key_revoke"),
    path("portal/", views.portal, name="portal"),
    path("portal/company", views.portal_switch, name="portal_switch"),
    path("portal/partner-request", views.portal_partner_request, name="portal_partner_request"),
    path(
        "portal/partner-request/<str:public_id>/<str:action>",
        views.portal_partner_request_action,
        name="portal_partner_request_action",
    ),
    path("portal/subscriptions/<str:public_id>/", views.portal_subscription, name="portal_subscription"),
    path("portal/subscriptions/<str:public_id>/members", views.portal_member_add, name="portal_member_add"),
    path("portal/subscriptions/<str:public_id>/seats", views.portal_seats, name="portal_seats"),
    path("portal/subscriptions/<str:public_id>/seats/quote", views.portal_seats_quote, name="portal_seats_quote"),
    path(
        "portal/subscriptions/<str:public_id>/members/<str:member_id>/remove",
        views.portal_member_remove,
        name="portal_member_remove",
    ),
    path("portal/subscriptions/<str:public_id>/admins", views.portal_admin_add, name="portal_admin_add"),
    path(
        "portal/subscriptions/<str:public_id>/admins/<str:admin_id>/remove",
        views.portal_admin_remove,
        name="portal_admin_remove",
    ),
]
