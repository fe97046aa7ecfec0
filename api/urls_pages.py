from django.urls import path

from api import pages

app_name = "tokens"
urlpatterns = [
    path("", pages.tokens, name="mine"),
    path("<int:pk>/revoke/", pages.revoke, name="revoke"),
    path("service-accounts/", pages.service_accounts, name="service-accounts"),
]
