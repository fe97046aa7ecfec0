"""The service's URLs and error handlers, plus a page that fails (for the 500 page's tests)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from project import urls as service


def failing_page(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the database went away")


handler500 = service.handler500
urlpatterns = [path("failing/", failing_page, name="failing"), *service.urlpatterns]
