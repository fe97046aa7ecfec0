"""The service's URLs plus a bare "hello" view, for the load test only (never in project/urls.py).

The hello view answers through the same middleware, gunicorn workers and settings as every page, so that a
page can be quoted as a share of it: the cost of the machine, gunicorn and Django's request cycle without
the service's own work (sessions, queries, templates)."""

from django.urls import include, path

from tests.load_urls_bare import hello

urlpatterns = [path("bench-hello/", hello, name="bench-hello"), path("", include("project.urls"))]
