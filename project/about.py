"""The about page and help (issue 11 item 13): what the coordination group and the centre are and do, who may
be group director, how districts are assigned, how to sign in and whom to ask. Open without signing in: the
sign-in page links to it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    # The centre and the group that runs it come from the context processor (organisation.context_processors).
    return render(request, "about.html")
