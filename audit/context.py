"""The request being served (if any), so that a change knows its way in, its person and its address.
Without a request a change comes from a background job (a Celery task, a management command)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse

_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)
_actor: ContextVar[User | None] = ContextVar("audit_actor", default=None)


@contextlib.contextmanager
def acting(user: User | None) -> Iterator[None]:
    """A person's action done outside a request (a service called by a job, a command, a test) or inside
    one: what it changes is theirs in the log (notifications.services.action_by enters this)."""
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> User | None:
    return _actor.get()


def current_request() -> HttpRequest | None:
    return _request.get()


def way_in() -> str:
    request = _request.get()
    if request is None:
        return "job"
    path = request.path
    if path.startswith("/admin/"):
        return "admin"
    if path.startswith("/api/") or request.headers.get("Authorization"):
        return "api"
    return "page"


def client_address(request: HttpRequest) -> str:
    """The address the last trusted proxy saw (as the sign-in lock reads it, accounts/security.py): the
    entry TRUSTED_PROXY_COUNT from the right of X-Forwarded-For, which no client can forge."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


class AuditMiddleware:
    """After authentication: remembers the request for the changes it makes while it is served."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
