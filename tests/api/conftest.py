"""Tokens of each role of the shared organisation (tests/coordination.py), and a client that calls with one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from api import services
from tests.coordination import Org, clock, org  # noqa: F401  (fixtures)
from tests.reporting.conftest import new_cycle, small_cycle  # noqa: F401  (fixtures)


class Api:
    """Calls /api/v1/ with a bearer token, JSON in and out."""

    def __init__(self, secret: str, language: str = "") -> None:
        self.client = Client()
        self.headers: dict[str, str] = {"Authorization": f"Bearer {secret}"}
        if language:
            self.headers["Accept-Language"] = language

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1/{path}", params, headers=self.headers)

    def post(self, path: str, data: Any = None, **extra: Any) -> Any:
        if extra.get("multipart"):
            return self.client.post(f"/api/v1/{path}", data or {}, headers=self.headers)
        return self.client.post(
            f"/api/v1/{path}", data or {}, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def token_of() -> Callable[[User], str]:
    def make(user: User) -> str:
        return services.token_create(user=user, name="test", days=30).secret

    return make


@pytest.fixture
def api_as(token_of: Callable[[User], str]) -> Callable[..., Api]:
    def make(user: User, language: str = "") -> Api:
        return Api(token_of(user), language)

    return make
