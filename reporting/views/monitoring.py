"""Monitoring and analysis pages and exports (to be written)."""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


national = province = analysis = export = district = compare = _todo
