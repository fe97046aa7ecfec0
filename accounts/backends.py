"""Local user names and passwords: for development, and as the break-glass path beside DLA-SSO, which
central administrators switch off with LOCAL_SIGN_IN_ENABLED=0."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.http import HttpRequest

from organisation.cached import ACCOUNTS, held_cache, versions

# The signed-in person, read on every page, is held in the shared cache under the accounts' stamp: any statement
# that writes to the accounts' tables renews it (settings.WORK_TABLES, organisation/cached.py), so a person
# deactivated, renamed or given a new password (which ends their other sessions) is read anew on their next page,
# whatever wrote it (a form, the admin, an update() of many rows). The expiry only bounds what a write behind
# Django's back (raw SQL from outside) could leave.
USER_HELD_SECONDS = 300


class HeldUser:
    """get_user from the shared cache while the accounts have not been written: a signed-in page reads nothing
    from the database for its person (the backend's own get_user, with its checks, otherwise)."""

    def get_user(self, user_id: int) -> Any:
        key = f"accounts:user:{versions(*ACCOUNTS)}:{user_id}"
        user = held_cache.get(key)
        if user is None:
            user = super().get_user(user_id)  # type: ignore[misc]
            if user is not None:
                held_cache.set(key, user, USER_HELD_SECONDS)
        return user


class LocalBackend(HeldUser, ModelBackend):
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
