"""A provincial SSO admin administers the accounts of their own province only; every action is audited."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import AppendOnly, AuditAction, AuditLog
from demo.organisation import demo_seed
from organisation.models import Officer, Province, Role, RoleAssignment
from organisation.services.appointments import central_staff_admin_access
from tests.factories import PASSWORD, OfficerFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db


def _sso(province: Province, username: str = "sso") -> User:
    user = UserFactory(username=username)
    give_role(OfficerFactory(user=user, province=province, phone="053 111 222"), Role.SSO_ADMIN)
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="accounts.backends.LocalBackend")
    return client


def test_the_demo_sso_admin_manages_chiang_mai_accounts_and_nothing_else() -> None:
    demo_seed()
    client = _client(User.objects.get(username="cm.sso"))
    chiang_mai, lamphun = Province.objects.get(code="50"), Province.objects.get(code="51")
    mine = Officer.objects.filter(province=chiang_mai).exclude(user=None).first()
    theirs = Officer.objects.filter(province=lamphun).exclude(user=None).first()

    assert client.get(reverse("accounts:index")).url == reverse("accounts:province", args=["50"])
    page = client.get(reverse("accounts:province", args=["50"]))
    assert page.status_code == 200 and mine.full_name in page.content.decode()
    assert client.get(reverse("accounts:officer", args=["50", mine.pk])).status_code == 200

    assert client.get(reverse("accounts:province", args=["51"])).status_code == 404
    assert client.get(reverse("accounts:officer", args=["51", theirs.pk])).status_code == 404
    assert client.get(reverse("accounts:officer", args=["50", theirs.pk])).status_code == 404
    for action in ["deactivate", "reset", "unlock", "grant"]:
        url = reverse("accounts:officer-action", args=["50", theirs.pk, action])
        assert client.post(url, {"role": Role.DISTRICT_OFFICER}).status_code == 404
        url = reverse("accounts:officer-action", args=["51", theirs.pk, action])
        assert client.post(url, {"role": Role.DISTRICT_OFFICER}).status_code == 404
    theirs.user.refresh_from_db()
    assert theirs.user.is_active
    assert not AuditLog.objects.exists()


def test_an_sso_admin_creates_an_account_and_the_one_time_link_sets_a_password_once(
    chiang_mai: Province,
) -> None:
    sso = _sso(chiang_mai)
    newcomer = OfficerFactory(user=None, province=chiang_mai, email="malee.s@dla.go.th")
    client = _client(sso)

    response = client.post(
        reverse("accounts:officer-action", args=["50", newcomer.pk, "create"]), {"username": "malee.s"}
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.user.username == "malee.s" and not newcomer.user.has_usable_password()

    page = client.post(reverse("accounts:officer-action", args=["50", newcomer.pk, "reset"]))
    link = page.context["reset_url"]
    assert link.startswith("http://testserver/accounts/reset/")

    officer_client = Client()
    form_page = officer_client.get(link, follow=True)
    assert form_page.context["validlink"]
    done = officer_client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "ฝนตกที่เชียงใหม่-2568", "new_password2": "ฝนตกที่เชียงใหม่-2568"},
    )
    assert done.status_code == 302
    assert (
        officer_client.post(
            reverse("login"), {"username": "malee.s", "password": "ฝนตกที่เชียงใหม่-2568"}
        ).status_code
        == 302
    )
    assert not Client().get(link, follow=True).context["validlink"]  # used once: dead

    actions = list(AuditLog.objects.order_by("pk").values_list("action", "actor", "subject_user"))
    assert actions == [
        (AuditAction.ACCOUNT_CREATED, sso.pk, newcomer.user.pk),
        (AuditAction.PASSWORD_RESET_LINK, sso.pk, newcomer.user.pk),
    ]


def test_deactivating_an_account_stops_its_sign_in_and_is_audited(chiang_mai: Province) -> None:
    sso = _sso(chiang_mai)
    officer = OfficerFactory(province=chiang_mai)
    services.account_set_active(officer=officer, active=False, by=sso)
    credentials = {"username": officer.user.username, "password": PASSWORD}
    assert Client().post(reverse("login"), credentials).status_code == 200  # the form again, with its error
    services.account_set_active(officer=officer, active=True, by=sso)
    assert Client().post(reverse("login"), credentials).status_code == 302
    assert AuditLog.objects.filter(subject_user=officer.user).count() == 2


def test_sso_admins_grant_and_revoke_only_provincial_roles_of_their_province(
    chiang_mai: Province, lamphun: Province
) -> None:
    sso = _sso(chiang_mai)
    officer = OfficerFactory(province=chiang_mai)
    stranger = OfficerFactory(province=lamphun)

    assignment = services.role_grant(officer=officer, role=Role.DISTRICT_OFFICER, by=sso)
    assert assignment.province == chiang_mai
    with pytest.raises(ValidationError):
        services.role_grant(officer=officer, role=Role.DISTRICT_OFFICER, by=sso)
    for role in [Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD, Role.CENTRAL_STAFF, Role.BUREAU_DESK]:
        with pytest.raises(PermissionDenied):
            services.role_grant(officer=officer, role=role, by=sso)
    with pytest.raises(PermissionDenied):
        services.role_grant(officer=stranger, role=Role.DISTRICT_OFFICER, by=sso)
    director = give_role(OfficerFactory(province=chiang_mai), Role.GROUP_DIRECTOR)
    with pytest.raises(PermissionDenied):
        services.role_revoke(assignment=director, by=sso)

    services.role_revoke(assignment=assignment, by=sso)  # granted today: removed
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    old = give_role(officer, Role.DISTRICT_OFFICER, start_date=datetime.date(2024, 10, 1))
    services.role_revoke(assignment=old, by=sso)
    old.refresh_from_db()
    assert old.end_date is not None and not RoleAssignment.objects.current().filter(officer=officer).exists()
    assert list(AuditLog.objects.order_by("pk").values_list("action", flat=True)) == [
        AuditAction.ROLE_GRANTED,
        AuditAction.ROLE_REVOKED,
        AuditAction.ROLE_REVOKED,
    ]


def test_the_audit_log_is_append_only(chiang_mai: Province) -> None:
    sso = _sso(chiang_mai)
    entry = services.audit_record(by=sso, action=AuditAction.ROLE_GRANTED, officer=sso.officer)
    entry.subject_name = "someone else"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditLog.objects.update(subject_name="x")
    with pytest.raises(AppendOnly):
        AuditLog.objects.all().delete()


@pytest.mark.postgres
def test_on_postgresql_the_database_refuses_to_change_the_audit_log(chiang_mai: Province) -> None:
    from django.db import DatabaseError, connection, transaction

    sso = _sso(chiang_mai)
    services.audit_record(by=sso, action=AuditAction.ROLE_GRANTED, officer=sso.officer)
    for sql in ["UPDATE accounts_auditlog SET subject_name = 'x'", "DELETE FROM accounts_auditlog"]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditLog.objects.count() == 1


def test_central_administrators_read_the_audit_in_the_admin_and_cannot_change_it(
    chiang_mai: Province,
) -> None:
    sso = _sso(chiang_mai)
    services.audit_record(by=sso, action=AuditAction.ROLE_GRANTED, officer=sso.officer)
    central = UserFactory(username="central")
    give_role(OfficerFactory(user=central, province=None), Role.CENTRAL_STAFF)
    central_staff_admin_access(central)
    client = _client(central)
    assert client.get(reverse("admin:accounts_auditlog_changelist")).status_code == 200
    entry = AuditLog.objects.get()
    assert client.get(reverse("admin:accounts_auditlog_add")).status_code == 403
    assert client.post(reverse("admin:accounts_auditlog_delete", args=[entry.pk])).status_code == 403
    # An SSO admin has no admin access at all.
    assert _client(sso).get(reverse("admin:accounts_auditlog_changelist")).status_code == 302


def test_the_public_list_shows_a_provinces_sso_admins_and_only_them(chiang_mai: Province) -> None:
    sso = _sso(chiang_mai)
    other = OfficerFactory(province=chiang_mai, phone="053 999 888")
    give_role(other, Role.DISTRICT_OFFICER)
    login_page = Client().get(reverse("login")).content.decode()
    assert reverse("accounts:sso-admins") in login_page

    page = Client().get(reverse("accounts:sso-admins"), {"province": "50"}).content.decode()
    assert sso.officer.full_name in page and "053 111 222" in page
    assert other.full_name not in page and "053 999 888" not in page
    assert Client().get(reverse("accounts:sso-admins"), {"province": "10"}).context["province"] is None
