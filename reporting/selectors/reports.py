"""Which district reports a person sees and works on: the officer's own, the director's review queue, and
whether a report is in a person's scope (the pages answer 404 outside it)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from viewflow.workflow.models import Task

from flows.reporting import DistrictReportFlow
from organisation.models import Role
from organisation.selectors.roles import UserScope
from reporting.models import DistrictReport, ReportingCycle, ReportStatus
from reporting.services import reports as services
from workdays.thai import thai_order

# Who reads a report besides its officer: the leaders of its province (the director reviews).
PROVINCE_READERS = (Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD, Role.SSO_ADMIN)


def provinces_with(scope: UserScope, *roles: str) -> set[int]:
    ids: set[int] = set()
    for role in roles:
        ids |= scope.provinces_by_role.get(role, frozenset())
    return ids


def reports_shown() -> QuerySet[DistrictReport]:
    return DistrictReport.objects.select_related(
        "cycle", "district__province", "province", "officer", "assignee__officer"
    )


def in_scope(user: User, scope: UserScope, report: DistrictReport) -> bool:
    if scope.is_central or report.assignee_id == user.pk:
        return True
    if scope.officer is not None and report.officer_id == scope.officer.pk:
        return True
    return report.province_id in provinces_with(scope, *PROVINCE_READERS)


def my_reports_of(user: User, scope: UserScope) -> QuerySet[DistrictReport]:
    """The reports a person fills in: those they hold, those of districts they were responsible for when
    the cycle opened, and (group directors, acting deputies) the reports nobody was responsible for in
    their province."""
    q = Q(assignee=user)
    if scope.officer is not None:
        q |= Q(officer=scope.officer)
    directed = provinces_with(scope, Role.GROUP_DIRECTOR)
    if directed:
        q |= Q(unassigned=True, province_id__in=directed)
    return (
        DistrictReport.objects.filter(q)
        .select_related("cycle", "district__province", "province")
        .order_by("-cycle__opens_on", "-cycle_id", thai_order("district__name_th"), "pk")
    )


def waiting_review(user: User, provinces: set[int]) -> QuerySet[DistrictReport]:
    mine = Task.objects.filter(
        flow_task=DistrictReportFlow.review, status__in=services.OPEN_TASK, owner=user
    ).values("process_id")
    return (
        DistrictReport.objects.filter(
            Q(process_id__in=mine)
            | Q(province_id__in=provinces, status=ReportStatus.SUBMITTED, complete=False)
        )
        .exclude(cycle__status=ReportingCycle.Status.CLOSED)
        .select_related("cycle", "district__province", "province", "assignee__officer", "officer")
        .order_by("submitted_at", "pk")
    )
