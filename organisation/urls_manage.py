from django.urls import path

from organisation.views import manage

app_name = "manage"
urlpatterns = [
    path("", manage.index, name="index"),
    path("imports/", manage.import_view, name="imports"),
    path("units/", manage.units_view, name="units"),
    path("units/<str:unit_code>/contacts/", manage.unit_contacts_view, name="unit-contacts"),
    path("provinces/<str:code>/", manage.province_detail, name="province"),
    path(
        "provinces/<str:code>/districts/<str:district_code>/assign/",
        manage.district_assign_view,
        name="district-assign",
    ),
    path(
        "provinces/<str:code>/districts/<str:district_code>/end/",
        manage.district_unassign_view,
        name="district-unassign",
    ),
    path("provinces/<str:code>/group-director/", manage.group_director_view, name="group-director"),
    path("provinces/<str:code>/acting-deputy/", manage.acting_deputy_view, name="acting-deputy"),
    path(
        "provinces/<str:code>/district-officers/add/",
        manage.district_officer_add_view,
        name="district-officer-add",
    ),
    path("provinces/<str:code>/roles/<int:pk>/end/", manage.role_end_view, name="role-end"),
]
