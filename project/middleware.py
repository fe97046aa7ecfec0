from collections.abc import Callable

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
