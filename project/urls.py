from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from health.views import healthz, metrics
from project import about, home

# The 500 page shows the request id (project/logs.py) for the officer to quote.
handler500 = "project.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("about/", about.about, name="about"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            extra_context={
                "oidc_enabled": settings.OIDC_ENABLED,
                "local_sign_in": settings.LOCAL_SIGN_IN_ENABLED,
            }
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("accounts/", include("accounts.urls")),
    *([path("oidc/", include("mozilla_django_oidc.urls"))] if settings.OIDC_ENABLED else []),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("tokens/", include("api.urls_pages")),
    path("manage/", include("organisation.urls_manage")),
    path("notifications/", include("notifications.urls")),
    path("requests/", include("cases.urls")),
    path("reports/", include("reporting.urls")),
    path("", home.home, name="home"),
    path("", include("organisation.urls")),
]
