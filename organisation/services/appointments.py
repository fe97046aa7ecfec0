"""Appointing officers to roles: group directors, provincial heads, district officers, SSO admins."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from organisation.models import (
    ActingDeputy,
    DistrictAssignment,
    Officer,
    Province,
    Role,
    RoleAssignment,
    Unit,
)
from organisation.models.people import PROFESSIONAL_OR_HIGHER, CivilServiceLevel
from organisation.selectors.roles import user_scope
from organisation.services.assignments import responsibility_changed_on_commit
from workdays.templatetags.thai_dates import thai_date


def group_director_ineligibility(officer: Officer, on: datetime.date) -> list[str]:
    """Why the officer may not be group director (source, Part 1, question 3); empty when eligible."""
    reasons = []
    if officer.level not in PROFESSIONAL_OR_HIGHER:
        reasons.append(
            _(
                "A group director must be at level ชำนาญการ (professional) or higher; %(officer)s is at level %(level)s."
            )
            % {"officer": officer, "level": CivilServiceLevel(officer.level).label}
        )
    served = (
        officer.former_district_officer
        or DistrictAssignment.objects.filter(officer=officer, start_date__lte=on).exists()
        or RoleAssignment.objects.filter(
            officer=officer, role=Role.DISTRICT_OFFICER, start_date__lte=on
        ).exists()
    )
    if not served:
        reasons.append(
            _("A group director must have served as a district officer; %(officer)s has not.")
            % {"officer": officer}
        )
    return reasons


def _check_may_appoint(by: User, role: str, province: Province | None) -> None:
    scope = user_scope(by)
    if scope.is_central:
        return
    if (
        province is not None
        and role != Role.PROVINCIAL_HEAD
        and scope.has_role(Role.PROVINCIAL_HEAD, province)
    ):
        return
    raise PermissionDenied(
        _("Only the provincial head of this province or central staff may appoint to this role.")
    )


@transaction.atomic
def role_appoint(
    *,
    officer: Officer,
    role: Role,
    start_date: datetime.date,
    by: User,
    province: Province | None = None,
    unit: Unit | None = None,
) -> RoleAssignment:
    """Give the officer a role from start_date. For one-holder roles the current holder's term ends the day before."""
    _check_may_appoint(by, role, province)
    if role in Role.provincial():
        if province is None:
            raise ValidationError(_("This role needs a province."), code="scope")
        if officer.province_id != province.pk:
            raise ValidationError(
                _("%(officer)s belongs to another province.") % {"officer": officer}, code="other_province"
            )
        if not province.has_provincial_office:
            raise ValidationError(_("Bangkok has no provincial office."), code="bangkok")
    elif role == Role.BUREAU_DESK and unit is None:
        raise ValidationError(_("A bureau desk role needs a bureau or division."), code="scope")
    if role == Role.GROUP_DIRECTOR:
        reasons = group_director_ineligibility(officer, start_date)
        if reasons:
            raise ValidationError(reasons, code="ineligible")

    if role in Role.single_holder():
        assert province is not None
        Province.objects.select_for_update().get(pk=province.pk)
        current = RoleAssignment.objects.filter(province=province, role=role, end_date__isnull=True).first()
        if current is not None:
            if current.officer_id == officer.pk:
                raise ValidationError(
                    _("%(officer)s already holds this role.") % {"officer": officer}, code="already_assigned"
                )
            if start_date <= current.start_date:
                raise ValidationError(
                    _("The new term overlaps the current one: it must start after %(date)s.")
                    % {"date": thai_date(current.start_date)},
                    code="overlap",
                )
            current.end_date = start_date - datetime.timedelta(days=1)
            current.save(update_fields=["end_date"])
    elif (
        RoleAssignment.objects.current(start_date)
        .filter(officer=officer, role=role, province=province, unit=unit)
        .exists()
    ):
        raise ValidationError(
            _("%(officer)s already holds this role.") % {"officer": officer}, code="already_assigned"
        )
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                officer=officer,
                role=role,
                province=province,
                unit=unit,
                start_date=start_date,
                appointed_by=by,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Someone else appointed to this role in the meantime."), code="stale"
        ) from exc
    if role == Role.CENTRAL_STAFF and officer.user is not None:
        central_staff_admin_access(officer.user)
    _directing_changed(role, province)
    return assignment


def _directing_changed(role: str, province: Province | None) -> None:
    """Who directs the province may have changed: its open reviews follow (province_director)."""
    if province is not None and role in Role.single_holder():
        responsibility_changed_on_commit(provinces=[province.pk])


@transaction.atomic
def role_end(*, assignment: RoleAssignment, end_date: datetime.date, by: User) -> RoleAssignment:
    _check_may_appoint(by, assignment.role, assignment.province)
    if end_date < assignment.start_date:
        raise ValidationError(
            _("The end date cannot be before the start date (%(date)s).")
            % {"date": thai_date(assignment.start_date)},
            code="overlap",
        )
    assignment.end_date = end_date
    assignment.save(update_fields=["end_date"])
    _directing_changed(assignment.role, assignment.province)
    return assignment


@transaction.atomic
def acting_deputy_set(
    *,
    province: Province,
    deputy: Officer,
    start_date: datetime.date,
    end_date: datetime.date,
    by: User,
    reason: str = "",
) -> ActingDeputy:
    """Name the officer who acts for the group director of the province on the given days."""
    _check_may_appoint(by, Role.GROUP_DIRECTOR, province)
    if end_date < start_date:
        raise ValidationError(_("The end date cannot be before the start date."), code="dates")
    if deputy.province_id != province.pk:
        raise ValidationError(
            _("%(officer)s belongs to another province.") % {"officer": deputy}, code="other_province"
        )
    Province.objects.select_for_update().get(pk=province.pk)
    clash = ActingDeputy.objects.filter(
        province=province, start_date__lte=end_date, end_date__gte=start_date
    ).first()
    if clash:
        raise ValidationError(
            _("Another acting deputy (%(officer)s) is already set from %(start)s to %(end)s.")
            % {
                "officer": clash.deputy,
                "start": thai_date(clash.start_date),
                "end": thai_date(clash.end_date),
            },
            code="overlap",
        )
    acting = ActingDeputy.objects.create(
        province=province,
        deputy=deputy,
        start_date=start_date,
        end_date=end_date,
        reason=reason,
        created_by=by,
    )
    responsibility_changed_on_commit(provinces=[province.pk])
    return acting


CENTRAL_ADMIN_GROUP = "Central staff (admin)"
# What central staff edit in the admin: the calendar, the deadline policy, the units and LGOs, and the
# repair of failed reminders and deliveries (issue 3); the rest of the admin stays with system administrators.
CENTRAL_ADMIN_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "workdays": {"calendarday": ("view", "add", "change", "delete")},
    "deadlines": {
        "deadlinepolicy": ("view", "add", "change"),
        "deadlinerule": ("view", "add", "change", "delete"),
        "escalationstep": ("view", "add", "change", "delete"),
        "scheduledaction": ("view", "change"),
    },
    "organisation": {
        "unit": ("view", "add", "change"),
        "localgovernmentorganisation": ("view", "add", "change"),
        "districtneighbour": ("view", "add", "change", "delete"),
        "province": ("view",),
        "district": ("view",),
        "officer": ("view",),
    },
    "notifications": {"notification": ("view",), "delivery": ("view", "change")},
    "accounts": {"auditlog": ("view",)},
    # Issue 5: the mission areas and indicators new reporting cycles ask (retired by unticking "asked in
    # new cycles", not deleted); cycles and reports are changed only through their own pages.
    "reporting": {
        "missionarea": ("view", "add", "change"),
        "indicator": ("view", "add", "change"),
        "reportingcycle": ("view",),
        "districtreport": ("view",),
    },
}


def central_staff_admin_access(user: User) -> None:
    """Central staff work in the admin for what the issues put there: staff status and one group."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=CENTRAL_ADMIN_GROUP)
    wanted = [
        f"{action}_{model}"
        for models in CENTRAL_ADMIN_PERMISSIONS.values()
        for model, actions in models.items()
        for action in actions
    ]
    group.permissions.set(
        Permission.objects.filter(
            codename__in=wanted, content_type__app_label__in=list(CENTRAL_ADMIN_PERMISSIONS)
        )
    )
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
