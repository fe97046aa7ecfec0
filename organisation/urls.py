from django.urls import path

from organisation.views import directory

urlpatterns = [
    path("directory/", directory.search, name="directory"),
    path("directory/provinces/<str:code>/", directory.province_detail, name="province-detail"),
    path("directory/districts/<str:code>/", directory.district_detail, name="district-detail"),
]
