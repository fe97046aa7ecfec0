import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ThaiFirstMiddleware:
    """Thai unless the person chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many office PCs and phones
    run an English browser: the officers would land on English pages they never asked for. Placed before
    LocaleMiddleware, this drops the header, so the language comes from the switch's cookie or else
    LANGUAGE_CODE (th).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class SessionIdleMiddleware:
    """Signed out after SESSION_IDLE_MINUTES without a request, without a session write on every page: the
    session is renewed (saved, its cookie and expiry moved on) at most once every SESSION_RENEW_SECONDS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if session.session_key is not None:
            now = int(time.time())
            if now - int(session.get("_renewed", 0)) >= settings.SESSION_RENEW_SECONDS:
                session["_renewed"] = now
        return self.get_response(request)
