"""Local user names and passwords: for development, and as the break-glass path beside DLA-SSO, which
central administrators switch off with LOCAL_SIGN_IN_ENABLED=0."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.http import HttpRequest


class LocalBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not settings.LOCAL_SIGN_IN_ENABLED:
            return None
        user: User | None = super().authenticate(request, username=username, password=password, **kwargs)
        return user
