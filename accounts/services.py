"""Account administration by a province's SSO admin (or central staff). Every write is audited in the same
transaction.

Which roles an SSO admin grants: the roles of DESIGN.md that belong to a province and are not appointments
with rules of their own, i.e. district officer and SSO admin, in their own province only. The group director
and the provincial head stay appointments of the provincial head and central staff (/manage/), with their
eligibility rules; central roles (central staff, bureau desk) stay with central administrators."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import AuditAction, AuditLog
from accounts.selectors import may_administer
from organisation.models import Officer, Province, Role, RoleAssignment
from organisation.models.people import person_name
from organisation.selectors.roles import user_scope

SSO_GRANTABLE_ROLES = (Role.DISTRICT_OFFICER, Role.SSO_ADMIN)


def _name(user: User) -> str:
    """The audit log's label: the person's name, then their username."""
    name = person_name(user)
    return name if name == user.get_username() else f"{name} ({user.get_username()})"


def audit_record(
    *,
    by: User,
    action: AuditAction,
    officer: Officer | None = None,
    user: User | None = None,
    detail: Mapping[str, object] | None = None,
    ip_address: str = "",
) -> AuditLog:
    subject_user = user or (officer.user if officer else None)
    subject = officer.full_name if officer else (subject_user.username if subject_user else "")
    if officer and subject_user:
        subject = f"{subject} ({subject_user.username})"
    return AuditLog.objects.create(
        at=timezone.now(),
        actor=by,
        actor_name=_name(by),
        action=action,
        subject_user=subject_user,
        subject_name=subject,
        province_code=officer.province.code if officer and officer.province else "",
        detail=dict(detail or {}),
        ip_address=ip_address,
    )


def _check(by: User, officer: Officer) -> None:
    if officer.province is None or not may_administer(user_scope(by), officer.province):
        raise PermissionDenied(_("You administer the accounts of your own province only."))


def _account(officer: Officer) -> User:
    if officer.user is None:
        raise ValidationError(_("%(officer)s has no account yet.") % {"officer": officer}, code="no_account")
    return officer.user


@transaction.atomic
def account_create(*, officer: Officer, username: str, by: User, ip_address: str = "") -> User:
    """An account for an officer of the province, without a password: the officer sets one through the
    one-time link (or signs in through DLA-SSO)."""
    _check(by, officer)
    Officer.objects.select_for_update().get(pk=officer.pk)
    officer.refresh_from_db()
    if officer.user is not None:
        raise ValidationError(
            _("%(officer)s already has the account %(username)s.")
            % {"officer": officer, "username": officer.user.username},
            code="exists",
        )
    username = username.strip()
    if not username:
        raise ValidationError(_("Enter a user name."), code="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            _("The user name %(username)s is taken.") % {"username": username}, code="taken"
        )
    user = User(
        username=username,
        email=officer.email,
        first_name=officer.first_name_th,
        last_name=officer.last_name_th,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    officer.user = user
    officer.save(update_fields=["user"])
    audit_record(by=by, action=AuditAction.ACCOUNT_CREATED, officer=officer, ip_address=ip_address)
    return user


@transaction.atomic
def account_set_active(*, officer: Officer, active: bool, by: User, ip_address: str = "") -> User:
    _check(by, officer)
    user = _account(officer)
    if user.pk == by.pk and not active:
        raise ValidationError(_("You cannot deactivate your own account."), code="self")
    if user.is_superuser and not user_scope(by).is_central:
        raise PermissionDenied(_("Only central administrators change a system administrator's account."))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    action = AuditAction.ACCOUNT_REACTIVATED if active else AuditAction.ACCOUNT_DEACTIVATED
    audit_record(by=by, action=action, officer=officer, ip_address=ip_address)
    return user


@dataclass(frozen=True)
class ResetLink:
    path: str
    valid_days: float


@transaction.atomic
def password_reset_link(*, officer: Officer, by: User, ip_address: str = "") -> ResetLink:
    """A one-time link to set a local password: the token dies once the password changes (or after
    PASSWORD_RESET_TIMEOUT). The SSO admin passes it on to the officer."""
    _check(by, officer)
    user = _account(officer)
    if not user.is_active:
        raise ValidationError(_("Reactivate the account first."), code="inactive")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    audit_record(by=by, action=AuditAction.PASSWORD_RESET_LINK, officer=officer, ip_address=ip_address)
    return ResetLink(
        path=reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}),
        valid_days=settings.PASSWORD_RESET_TIMEOUT / 86400,
    )


@transaction.atomic
def role_grant(*, officer: Officer, role: str, by: User, ip_address: str = "") -> RoleAssignment:
    _check(by, officer)
    if role not in SSO_GRANTABLE_ROLES:
        raise PermissionDenied(
            _("An SSO admin grants only the district officer and SSO admin roles of their province.")
        )
    province = officer.province
    assert province is not None
    Province.objects.select_for_update().get(pk=province.pk)
    today = timezone.localdate()
    if RoleAssignment.objects.current(today).filter(officer=officer, role=role, province=province).exists():
        raise ValidationError(
            _("%(officer)s already holds this role.") % {"officer": officer}, code="already"
        )
    assignment = RoleAssignment.objects.create(
        officer=officer, role=role, province=province, start_date=today, appointed_by=by
    )
    audit_record(
        by=by,
        action=AuditAction.ROLE_GRANTED,
        officer=officer,
        detail={"role": role, "province": province.code, "from": today.isoformat()},
        ip_address=ip_address,
    )
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, by: User, ip_address: str = "") -> None:
    """The role ends at once: its last day was yesterday (one granted today is removed)."""
    officer = assignment.officer
    _check(by, officer)
    if assignment.role not in SSO_GRANTABLE_ROLES or assignment.province_id != officer.province_id:
        raise PermissionDenied(
            _("An SSO admin revokes only the district officer and SSO admin roles of their province.")
        )
    if assignment.role == Role.SSO_ADMIN and officer.user_id == by.pk:
        raise ValidationError(_("You cannot revoke your own SSO admin role."), code="self")
    today = timezone.localdate()
    detail = {"role": assignment.role, "province": officer.province.code if officer.province else ""}
    if assignment.start_date >= today:
        assignment.delete()
    else:
        assignment.end_date = today - datetime.timedelta(days=1)
        assignment.save(update_fields=["end_date"])
    audit_record(
        by=by, action=AuditAction.ROLE_REVOKED, officer=officer, detail=detail, ip_address=ip_address
    )


def lockouts(user: User) -> list[AccessAttempt]:
    return list(AccessAttempt.objects.filter(username=user.username).order_by("-attempt_time"))


@transaction.atomic
def lockout_clear(*, officer: Officer, by: User, ip_address: str = "") -> int:
    _check(by, officer)
    user = _account(officer)
    cleared = axes_reset(username=user.username)
    audit_record(
        by=by,
        action=AuditAction.LOCKOUT_CLEARED,
        officer=officer,
        detail={"attempts": cleared},
        ip_address=ip_address,
    )
    return cleared
