from django.contrib import admin
from django.urls import include, path

from config.api import api

admin.site.site_header = "partnerdesk back office"
admin.site.site_title = "partnerdesk"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("partnerdesk.web.urls")),
]
