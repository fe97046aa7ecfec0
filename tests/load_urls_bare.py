"""The hello view alone: the URLs of the load test's reference server (tests/load_settings_bare.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("bench-hello/", hello, name="bench-hello")]
