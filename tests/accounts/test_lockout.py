"""Brute force: after AXES_FAILURE_LIMIT failed sign-ins a user name is locked on that address; the page
says who can unlock it, and the province's SSO admin can."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import AuditAction, AuditLog
from organisation.models import Province, Role
from tests.factories import PASSWORD, OfficerFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db


def _fail(client: Client, username: str, times: int) -> None:
    for _ in range(times):
        client.post(reverse("login"), {"username": username, "password": "wrong-password"})


def test_repeated_failures_lock_the_sign_in_and_name_the_provinces_sso_admin(
    chiang_mai: Province, lamphun: Province
) -> None:
    sso = UserFactory(username="cm-sso")
    give_role(
        OfficerFactory(user=sso, province=chiang_mai, first_name_th="ผู้ดูแล", phone="053 111 222"),
        Role.SSO_ADMIN,
    )
    lp_sso = UserFactory(username="lp-sso")
    give_role(OfficerFactory(user=lp_sso, province=lamphun), Role.SSO_ADMIN)
    officer = OfficerFactory(province=chiang_mai)
    client = Client()

    _fail(client, officer.user.username, settings.AXES_FAILURE_LIMIT)
    locked = client.post(reverse("login"), {"username": officer.user.username, "password": PASSWORD})
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "ผู้ดูแล" in text and "053 111 222" in text
    assert "Content-Security-Policy" in locked.headers

    with pytest.raises(PermissionDenied):
        services.lockout_clear(officer=officer, by=lp_sso)
    sso_client = Client()
    sso_client.force_login(sso, backend="accounts.backends.LocalBackend")
    sso_client.post(reverse("accounts:officer-action", args=["50", officer.pk, "unlock"]))
    assert AuditLog.objects.filter(action=AuditAction.LOCKOUT_CLEARED, subject_user=officer.user).exists()

    signed_in = client.post(reverse("login"), {"username": officer.user.username, "password": PASSWORD})
    assert signed_in.status_code == 302


def test_an_unknown_user_name_locked_out_points_to_the_list_of_sso_admins() -> None:
    client = Client()
    _fail(client, "nobody-here", settings.AXES_FAILURE_LIMIT)
    locked = client.post(reverse("login"), {"username": "nobody-here", "password": "x"})
    assert locked.status_code == 429
    assert reverse("accounts:sso-admins") in locked.content.decode()


def test_the_lock_is_per_address_behind_the_trusted_proxy(settings: object, chiang_mai: Province) -> None:
    settings.TRUSTED_PROXY_COUNT = 1  # type: ignore[attr-defined]
    officer = OfficerFactory(province=chiang_mai)
    attacker = Client(HTTP_X_FORWARDED_FOR="203.0.113.9")
    _fail(attacker, officer.user.username, settings.AXES_FAILURE_LIMIT)  # type: ignore[attr-defined]
    assert (
        attacker.post(reverse("login"), {"username": officer.user.username, "password": PASSWORD}).status_code
        == 429
    )
    # A forged left-hand entry does not escape the lock; the officer at another address still signs in.
    forged = Client(HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.9")
    assert (
        forged.post(reverse("login"), {"username": officer.user.username, "password": PASSWORD}).status_code
        == 429
    )
    own = Client(HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert (
        own.post(reverse("login"), {"username": officer.user.username, "password": PASSWORD}).status_code
        == 302
    )


def test_pages_carry_a_strict_content_security_policy_and_secure_session_settings(client: Client) -> None:
    policy = client.get(reverse("login")).headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60 <= 3600
    assert settings.SESSION_RENEW_SECONDS <= 60 and settings.SESSION_COOKIE_HTTPONLY
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
