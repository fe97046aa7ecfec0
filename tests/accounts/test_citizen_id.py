"""Officers' citizen IDs (accounts.OfficerIdentity): the Thai check digit, and DLA-SSO matching by them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from accounts.models import OfficerIdentity, citizen_id_is_valid, validate_citizen_id
from accounts.oidc import users_matching
from tests.factories import OfficerFactory, UserFactory

VALID = "1101700203450"  # check digit: 11 - (sum of the first twelve digits weighted 13..2) mod 11, mod 10


@pytest.mark.parametrize(
    "value, valid",
    [
        (VALID, True),
        ("1-1017-00203-45-0", True),
        ("3100600412354", True),
        ("1101700203451", False),  # one off in the check digit
        ("1101700203540", False),  # two digits swapped
        ("110170020345", False),
        ("11017002034500", False),
        ("110170020345x", False),
        ("", False),
    ],
)
def test_the_check_digit(value: str, valid: bool) -> None:
    assert citizen_id_is_valid(value) is valid


@pytest.mark.django_db
def test_an_identity_is_validated_unique_and_stored_as_digits() -> None:
    with pytest.raises(ValidationError):
        validate_citizen_id("1101700203451")
    identity = OfficerIdentity(officer=OfficerFactory(), citizen_id="1101700203451")
    with pytest.raises(ValidationError):
        identity.full_clean()
    OfficerIdentity.objects.create(officer=OfficerFactory(), citizen_id="1 1017 00203 45 0")
    assert OfficerIdentity.objects.get().citizen_id == VALID
    with pytest.raises(IntegrityError):
        OfficerIdentity.objects.create(officer=OfficerFactory(), citizen_id=VALID)


@pytest.mark.django_db
def test_sign_in_matches_the_configured_citizen_id_claim(settings: Any) -> None:
    officer = OfficerFactory(user=UserFactory(username="cm-officer-7"))
    OfficerIdentity.objects.create(officer=officer, citizen_id=VALID)
    OfficerFactory(user=UserFactory(username="another"))
    settings.OIDC_MATCH_CLAIM = "citizen_id"
    assert list(users_matching({"sub": "x", "citizen_id": VALID})) == [officer.user]
    assert list(users_matching({"sub": "x", "citizen_id": "1-1017-00203-45-0"})) == [officer.user]
    assert not users_matching({"sub": "x", "preferred_username": "cm-officer-7"}).exists()
    assert not users_matching({"sub": "x", "citizen_id": "1101700203451"}).exists()  # bad check digit
    assert not users_matching({"sub": "x", "citizen_id": "3100600412354"}).exists()  # nobody's

    settings.OIDC_MATCH_CLAIM = "CITIZEN_ID"
    settings.OIDC_CITIZEN_ID_CLAIM = "pid"
    assert list(users_matching({"sub": "x", "pid": VALID})) == [officer.user]
    assert not users_matching({"sub": "x", "citizen_id": VALID}).exists()

    officer.user.is_active = False
    officer.user.save()
    assert not users_matching({"sub": "x", "pid": VALID}).exists()


@pytest.mark.django_db
def test_central_administrators_keep_citizen_ids_in_the_admin() -> None:
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    officer = OfficerFactory()
    client = Client()
    client.force_login(admin)
    add = client.post(
        reverse("admin:accounts_officeridentity_add"), {"officer": officer.pk, "citizen_id": "1101700203451"}
    )
    assert add.status_code == 200 and not OfficerIdentity.objects.exists()  # the check digit refused it
    add = client.post(
        reverse("admin:accounts_officeridentity_add"), {"officer": officer.pk, "citizen_id": VALID}
    )
    assert add.status_code == 302 and OfficerIdentity.objects.get().officer == officer
    page = client.get(reverse("admin:accounts_officeridentity_changelist"), {"q": VALID})
    assert page.status_code == 200 and str(officer) in page.content.decode()
