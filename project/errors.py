"""The 500 page, with the request's id: the officer quotes it to the centre, which finds the logs (and the
Sentry report) it names. Rendered without the request's context processors, as Django's own handler does:
whatever broke the page (the database, a template tag) must not break the error page too."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

from project.logs import request_id_of


def server_error(request: HttpRequest) -> HttpResponse:
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"request_id": request_id_of(request)}))
