from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "partnerdesk back office"
admin.site.site_title = "partnerdesk"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("invitations/", include("partnerdesk.invitations.urls")),
    path("", include("partnerdesk.web.urls")),
]
