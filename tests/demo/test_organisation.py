"""`make run` loads a living demo organisation, once."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse

from demo.organisation import DEMO_PASSWORD, demo_country_seed, demo_logins, demo_seed
from organisation.models import DistrictAssignment, Officer, Role, RoleAssignment
from organisation.selectors.roles import user_scope

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 1, 15)


def test_the_demo_has_one_sign_in_for_each_role_and_they_work(client) -> None:  # type: ignore[no-untyped-def]
    demo_seed(password=DEMO_PASSWORD)

    logins = {login.username: login for login in demo_logins()}
    for role, username in [
        (Role.DISTRICT_OFFICER, "cm.officer1"),
        (Role.GROUP_DIRECTOR, "cm.director"),
        (Role.PROVINCIAL_HEAD, "cm.head"),
        (Role.SSO_ADMIN, "cm.sso"),
        (Role.CENTRAL_STAFF, "central"),
        (Role.BUREAU_DESK, "bureau"),
    ]:
        assert username in logins
        assert user_scope(User.objects.get(username=username), on=ON).has_role(role)
        # Through the sign-in page: django-axes needs the request.
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username


def test_the_demo_is_realistic_some_officers_hold_two_districts_some_districts_have_nobody() -> None:
    demo_seed()

    held = DistrictAssignment.objects.current(ON).values("officer").annotate(n=Count("id"))
    chiang_mai_districts = 25
    assert any(row["n"] == 2 for row in held)
    assert (
        DistrictAssignment.objects.current(ON).filter(district__province__code="50").count()
        < chiang_mai_districts
    )
    assert all(o.first_name_th and o.phone for o in Officer.objects.all())
    assert RoleAssignment.objects.filter(role=Role.GROUP_DIRECTOR).count() == 4


def test_running_the_demo_again_changes_nothing() -> None:
    """The organisation and the people of every province (the whole `seed_demo`, reporting cycles included,
    in tests/reporting/test_demo.py)."""
    demo_seed()
    assert demo_country_seed() is True
    counts = (User.objects.count(), Officer.objects.count(), DistrictAssignment.objects.count())

    assert demo_seed() is False
    assert demo_country_seed() is False

    assert (User.objects.count(), Officer.objects.count(), DistrictAssignment.objects.count()) == counts


def test_seed_demo_refuses_to_run_with_debug_off_unless_forced() -> None:
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")

    assert not User.objects.exists()


def test_the_demo_seeded_outside_debug_has_no_account_with_a_password() -> None:
    demo_seed()
    demo_country_seed()

    assert User.objects.count() > 100
    assert not [u.username for u in User.objects.all() if u.has_usable_password()]


def test_the_sign_ins_printed_outside_debug_name_no_password(capsys) -> None:  # type: ignore[no-untyped-def]
    demo_seed()

    call_command("seed_demo", "--list")

    out = capsys.readouterr().out
    assert "sign in through SSO" in out
    assert DEMO_PASSWORD not in out


@override_settings(DEBUG=True)
def test_the_sign_ins_printed_on_a_developers_machine_give_the_shared_password(capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("seed_demo", "--list")

    assert f"password for all: {DEMO_PASSWORD}" in capsys.readouterr().out
