import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.views.defaults import page_not_found


class ThaiFirstMiddleware:
    """Thai unless the person chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many office PCs and phones
    run an English browser: the officers would land on English pages they never asked for. Placed before
    LocaleMiddleware, this drops the header, so the language comes from the switch's cookie or else
    LANGUAGE_CODE (th). The API (/api/) keeps the header: a system asks for English with it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Another system calling the API asks for its language (Thai unless it says English).
        if not request.path_info.startswith("/api/"):
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


class OwnNotFoundPageMiddleware:
    """The service's own 404 page with DEBUG on too (`make run`), as in production.

    With DEBUG on, Django answers a missing page with its technical 404 (the URL patterns, in English), which
    is not what a person trying the demo should see. This middleware, used only with DEBUG on, answers an
    address that matches no URL pattern, and a view's Http404, with templates/404.html. A server error
    keeps Django's debug traceback: that is for the developer running the service.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.DEBUG:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404 as missing:
            return page_not_found(request, missing)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
