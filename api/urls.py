from django.contrib.auth.decorators import login_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("provinces/", views.ProvinceList.as_view(), name="provinces"),
    path("provinces/<str:code>/", views.ProvinceDetail.as_view(), name="province"),
    path("districts/", views.DistrictList.as_view(), name="districts"),
    path("districts/<str:code>/", views.DistrictDetail.as_view(), name="district"),
    path("units/", views.UnitList.as_view(), name="units"),
    path("requests/", views.RequestList.as_view(), name="requests"),
    path("requests/<int:pk>/", views.RequestDetail.as_view(), name="request"),
    path("requests/<int:pk>/actions/<str:action>/", views.RequestAction.as_view(), name="request-action"),
    path("cycles/", views.CycleList.as_view(), name="cycles"),
    path("cycles/<int:cycle_pk>/progress/", views.CycleProgress.as_view(), name="cycle-progress"),
    path(
        "cycles/<int:cycle_pk>/provinces/<int:province_pk>/",
        views.CycleProvince.as_view(),
        name="cycle-province",
    ),
    path("reports/", views.ReportList.as_view(), name="reports"),
    path("reports/<int:pk>/", views.ReportDetail.as_view(), name="report"),
    path("reports/<int:pk>/draft/", views.ReportDraft.as_view(), name="report-draft"),
    path("reports/<int:pk>/submit/", views.ReportSubmit.as_view(), name="report-submit"),
    path("notifications/", views.NotificationList.as_view(), name="notifications"),
    path("notifications/read/", views.NotificationsRead.as_view(), name="notifications-read"),
    # Any other address under /api/v1/ (an id that is not a number...): the API's 404, not the pages'.
    re_path(r"^", views.not_found, name="not-found"),
]
