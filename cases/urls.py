from django.urls import path

from cases.views import directory, home

urlpatterns = [
    path("", home.home, name="home"),
    path("directory/", directory.search, name="directory"),
    path("directory/provinces/<str:code>/", directory.province_detail, name="province-detail"),
    path("directory/districts/<str:code>/", directory.district_detail, name="district-detail"),
]
