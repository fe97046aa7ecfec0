"""The signed-in person is held in the shared cache (accounts/backends.py): a page reads nothing from the database
for them, and anything written to the accounts (a deactivation, even by an update() of many rows; a new password)
takes effect on their very next page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="accounts.backends.LocalBackend")
    return client


def _user_queries(client: Client) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("about"))
    return response.status_code, [
        q["sql"] for q in queries.captured_queries if 'FROM "auth_user"' in q["sql"]
    ]


def test_a_signed_in_page_reads_its_person_from_the_shared_cache() -> None:
    client = _signed_in(OfficerFactory().user)
    assert _user_queries(client)[0] == 200
    assert _user_queries(client) == (200, [])


def test_a_person_deactivated_by_any_write_is_signed_out_on_their_next_page() -> None:
    user = OfficerFactory().user
    client = _signed_in(user)
    _user_queries(client)
    assert _user_queries(client) == (200, [])
    User.objects.filter(pk=user.pk).update(
        is_active=False
    )  # no signal: the statement itself renews the stamp
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_new_password_ends_the_persons_other_sessions_at_once() -> None:
    user = OfficerFactory().user
    elsewhere = _signed_in(user)
    _user_queries(elsewhere)
    assert _user_queries(elsewhere) == (200, [])
    user.set_password("another-password-2569")
    user.save()
    response = elsewhere.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
