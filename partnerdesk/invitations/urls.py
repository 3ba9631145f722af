from django.urls import path

from partnerdesk.invitations import views

app_name = "invitations"
urlpatterns = [
    path("welcome/", views.welcome, name="welcome"),
    path("<str:token>/", views.accept, name="accept"),
]
