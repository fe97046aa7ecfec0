from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("sso-admins/", views.sso_admin_list, name="sso-admins"),
    path("sso-refused/", views.sso_refused, name="sso-refused"),
    path("sso-admin/", views.index, name="index"),
    path("sso-admin/<str:code>/", views.province_accounts, name="province"),
    path("sso-admin/<str:code>/officers/<int:pk>/", views.officer_detail, name="officer"),
    path("sso-admin/<str:code>/officers/<int:pk>/<str:action>/", views.officer_action, name="officer-action"),
]
