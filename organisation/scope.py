"""Every request carries the signed-in person's scope (roles, provinces, units) as `request.scope`,
computed when first read (from the cache while nothing changed, organisation/selectors/roles.py): views and templates read it there, and every check of who may see what
starts from it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from organisation.cached import stamps_read_once
from organisation.selectors.roles import UserScope, user_scope_cached


class ScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.scope = SimpleLazyObject(lambda: user_scope_cached(request.user))  # type: ignore[attr-defined]
        with stamps_read_once():
            return self.get_response(request)


def scope_of(request: HttpRequest) -> UserScope:
    """The request's scope, typed (a request built outside the middleware, e.g. in a test, gets one)."""
    scope = getattr(request, "scope", None)
    if scope is None:
        scope = user_scope_cached(request.user)
        request.scope = scope  # type: ignore[attr-defined]
    return scope
