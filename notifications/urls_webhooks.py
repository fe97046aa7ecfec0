from django.urls import path

from notifications import views_webhooks as views

app_name = "webhooks"
urlpatterns = [
    path("", views.subscriptions, name="list"),
    path("new/", views.subscription_new, name="new"),
    path("<int:pk>/", views.subscription_edit, name="edit"),
    path("<int:pk>/log/", views.subscription_log, name="log"),
    path("<int:pk>/rotate/", views.subscription_rotate, name="rotate"),
    path("<int:pk>/delete/", views.subscription_delete, name="delete"),
]
