from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path

from config.api import api

admin.site.site_header = "partnerdesk back office"
admin.site.site_title = "partnerdesk"
# One sign-in page for everyone: the back office's own login form would skip allauth's
# throttling and two-factor step, so it sends people to /accounts/login/ instead.
admin.site.login = login_required(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("invitations/", include("partnerdesk.invitations.urls")),
    path("", include("partnerdesk.web.urls")),
]
