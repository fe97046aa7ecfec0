"""The client address for the brute-force lock, behind TRUSTED_PROXY_COUNT proxies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address the last trusted proxy saw: X-Forwarded-For is appended to by each proxy, so the entry
    TRUSTED_PROXY_COUNT from the right is the one no client can forge."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))
