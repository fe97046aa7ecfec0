from django.urls import path

from cases.views import monitoring
from cases.views import requests as pages

app_name = "requests"

urlpatterns = [
    path("", pages.my_requests, name="mine"),
    path("new/", pages.request_new, name="new"),
    path("queue/", pages.queue, name="queue"),
    path("pool/", pages.pool_list, name="pool"),
    path("province/", pages.province_list, name="province"),
    path("all/", pages.all_list, name="all"),
    path("unit/", pages.unit_list, name="unit"),
    path("monitoring/", monitoring.index, name="monitor"),
    path("monitoring/country/", monitoring.national, name="monitor-national"),
    path("monitoring/province/<int:province_pk>/", monitoring.province, name="monitor-province"),
    path("monitoring/unit/<int:unit_pk>/", monitoring.unit, name="monitor-unit"),
    path("monitoring/trends/", monitoring.trends, name="monitor-trends"),
    path("monitoring/export/<str:what>.<str:fmt>", monitoring.export, name="monitor-export"),
    path("export.<str:fmt>", pages.export, name="export"),
    path("<int:pk>/", pages.detail, name="detail"),
    path("<int:pk>/edit/", pages.request_edit, name="edit"),
    path("<int:pk>/send/", pages.request_send, name="send"),
    path("<int:pk>/act/<str:action>/", pages.act, name="act"),
    path("<int:pk>/comment/", pages.comment, name="comment"),
    path("<int:pk>/attach/", pages.attach, name="attach"),
    path("<int:pk>/files/<int:attachment_pk>/", pages.attachment_download, name="attachment"),
]
