"""Assigning district officers to districts (source document, Part 1, question 4)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from organisation.models import District, DistrictAssignment, Officer, Role, RoleAssignment
from organisation.selectors.assignments import neighbour_ids
from organisation.selectors.roles import user_scope
from workdays.templatetags.thai_dates import thai_date

# Sent once a change of who is responsible has committed: a district's officer (`districts`), or who
# directs a province (`provinces`: a group director or provincial head appointed or ended, an acting deputy
# set). The workflows' open tasks follow it (flows/tasks.py); changes dated later are applied by a daily job.
responsibility_changed = Signal()


def responsibility_changed_on_commit(*, provinces: Iterable[int] = (), districts: Iterable[int] = ()) -> None:
    """Send `responsibility_changed` when the current transaction commits (nothing if it rolls back). A
    receiver's failure is logged and leaves the change itself committed; the daily job catches up."""
    province_ids, district_ids = sorted(set(provinces)), sorted(set(districts))
    transaction.on_commit(
        lambda: responsibility_changed.send(sender=None, provinces=province_ids, districts=district_ids),
        robust=True,
    )


# Passed as `expected_current` when the caller does not know (e.g. an import); anything else must match.
UNCHECKED = object()


@dataclass
class AssignmentResult:
    assignment: DistrictAssignment
    warnings: list[str] = field(default_factory=list)


def _adjoins_any(district: District, others: list[District]) -> bool | None:
    """True/False when neighbour data exists for the district; None when there is none (e.g. an island)."""
    neighbours = neighbour_ids(district)
    if neighbours is None:
        return None
    return any(other.pk in neighbours for other in others)


def district_assignment_warnings(
    *, district: District, officer: Officer, start_date: datetime.date
) -> list[str]:
    """The warnings `district_assign` would give, computed without writing: shown for confirmation first."""
    others = [
        a.district
        for a in DistrictAssignment.objects.current(start_date)
        .filter(officer=officer)
        .exclude(district=district)
        .select_related("district")
    ]
    if others and _adjoins_any(district, others) is False:
        return [
            _("%(district)s does not adjoin the other districts of %(officer)s (%(others)s).")
            % {
                "district": district.display_name,
                "officer": officer,
                "others": ", ".join(o.display_name for o in others),
            }
        ]
    return []


@transaction.atomic
def district_assign(
    *,
    district: District,
    officer: Officer,
    start_date: datetime.date,
    by: User,
    expected_current: int | object | None = UNCHECKED,
    note: str = "",
) -> AssignmentResult:
    """Make the officer responsible for the district from start_date, ending the current assignment.

    `expected_current` is the id of the assignment the person saw (None for "nobody"): when someone
    else changed the district in between, the second change is refused instead of silently winning.
    """
    if not user_scope(by).may_manage_province(district.province):
        raise PermissionDenied(
            _("Only the provincial head of this province or central staff may assign districts.")
        )
    if not district.province.has_provincial_office:
        raise ValidationError(_("Bangkok districts (khet) have no district officer."), code="bangkok")
    if officer.province_id != district.province_id:
        raise ValidationError(
            _("%(officer)s belongs to another province and cannot be responsible for %(district)s.")
            % {"officer": officer, "district": district.display_name},
            code="other_province",
        )
    if not (
        RoleAssignment.objects.current(start_date)
        .filter(officer=officer, role=Role.DISTRICT_OFFICER, province_id=district.province_id)
        .exists()
    ):
        raise ValidationError(
            _("%(officer)s does not hold the district officer role in this province on %(date)s.")
            % {"officer": officer, "date": thai_date(start_date)},
            code="not_district_officer",
        )

    # Lock the district: two people assigning it at once are serialised here.
    district = District.objects.select_for_update().select_related("province").get(pk=district.pk)
    current = (
        DistrictAssignment.objects.filter(district=district, end_date__isnull=True)
        .select_related("officer")
        .first()
    )
    if expected_current is not UNCHECKED and (current.pk if current else None) != expected_current:
        raise ValidationError(
            _(
                "Someone else changed the officer responsible for %(district)s in the meantime. Reload and check."
            )
            % {"district": district.display_name},
            code="stale",
        )
    if current is not None and current.officer_id == officer.pk:
        raise ValidationError(
            _("%(officer)s is already responsible for %(district)s.")
            % {"officer": officer, "district": district.display_name},
            code="already_assigned",
        )
    latest_start = current.start_date if current else None
    last_end = (
        DistrictAssignment.objects.filter(district=district, end_date__isnull=False)
        .order_by("-end_date")
        .values_list("end_date", flat=True)
        .first()
    )
    if (latest_start and start_date <= latest_start) or (last_end and start_date <= last_end):
        boundary = max(d for d in (latest_start, last_end) if d)
        raise ValidationError(
            _("The new assignment overlaps an earlier one: it must start after %(date)s.")
            % {"date": thai_date(boundary)},
            code="overlap",
        )

    others = [
        a.district
        for a in DistrictAssignment.objects.current(start_date)
        .filter(officer=officer)
        .exclude(district=district)
        .select_related("district")
    ]
    if current is not None:
        current.end_date = start_date - datetime.timedelta(days=1)
        current.save(update_fields=["end_date"])
    try:
        with transaction.atomic():
            assignment = DistrictAssignment.objects.create(
                district=district, officer=officer, start_date=start_date, assigned_by=by, note=note
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("%(district)s already has a responsible officer.") % {"district": district.display_name},
            code="stale",
        ) from exc

    responsibility_changed_on_commit(districts=[district.pk])
    warnings: list[str] = []
    if others and _adjoins_any(district, others) is False:
        warnings.append(
            _("%(district)s does not adjoin the other districts of %(officer)s (%(others)s).")
            % {
                "district": district.display_name,
                "officer": officer,
                "others": ", ".join(o.display_name for o in others),
            }
        )
    return AssignmentResult(assignment=assignment, warnings=warnings)


@transaction.atomic
def district_unassign(*, district: District, end_date: datetime.date, by: User) -> DistrictAssignment:
    """End the current assignment: the district has nobody responsible after end_date."""
    if not user_scope(by).may_manage_province(district.province):
        raise PermissionDenied(
            _("Only the provincial head of this province or central staff may assign districts.")
        )
    District.objects.select_for_update().get(pk=district.pk)
    current = DistrictAssignment.objects.filter(district=district, end_date__isnull=True).first()
    if current is None:
        raise ValidationError(_("Nobody is responsible for this district."), code="nobody")
    if end_date < current.start_date:
        raise ValidationError(
            _("The end date cannot be before the start date (%(date)s).")
            % {"date": thai_date(current.start_date)},
            code="overlap",
        )
    current.end_date = end_date
    current.save(update_fields=["end_date"])
    responsibility_changed_on_commit(districts=[district.pk])
    return current
