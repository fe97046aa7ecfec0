from django.urls import path

from reporting.views import monitoring, pages

app_name = "reporting"

urlpatterns = [
    # Officers and directors (reporting/views/pages.py)
    path("", pages.my_reports, name="mine"),
    path("queue/", pages.review_queue, name="queue"),
    path("<int:pk>/", pages.report_detail, name="report"),
    path("<int:pk>/review/", pages.report_review, name="review"),
    path("<int:pk>/reopen/", pages.report_reopen, name="reopen"),
    # Central staff: cycles
    path("cycles/", pages.cycle_list, name="cycles"),
    path("cycles/new/", pages.cycle_new, name="cycle_new"),
    path("cycles/<int:cycle_pk>/open/", pages.cycle_open, name="cycle_open"),
    path("cycles/<int:cycle_pk>/progress/", pages.cycle_progress, name="cycle_progress"),
    path("cycles/<int:cycle_pk>/close/", pages.cycle_close, name="cycle_close"),
    path("cycles/<int:cycle_pk>/extend/", pages.cycle_extend, name="extend"),
    # Monitoring and analysis (reporting/views/monitoring.py)
    path("cycles/<int:cycle_pk>/", monitoring.national, name="national"),
    path("cycles/<int:cycle_pk>/provinces/<int:province_pk>/", monitoring.province, name="province"),
    path("cycles/<int:cycle_pk>/analysis/", monitoring.analysis, name="analysis"),
    path("cycles/<int:cycle_pk>/export/<str:what>.<str:fmt>", monitoring.export, name="export"),
    path("districts/<int:district_pk>/", monitoring.district, name="district"),
    path("compare/", monitoring.compare, name="compare"),
]
