"""Each role lands on its own home page: one section per role the person holds today.

Later issues add tasks and queues: each section is its own template (templates/home/home_*.html), and
the view only gathers what the sections render.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from health.selectors import background_problems
from organisation.cached import PERSON_HELD_SECONDS, made_when_drawn, person_held_key
from organisation.models import Province, Role
from organisation.scope import scope_of
from organisation.selectors.directory import (
    national_coverage,
    officer_districts,
    province_contacts,
    province_directory,
    provinces_in_thai_order,
    unit_members,
)
from organisation.selectors.roles import UserScope
from reporting.selectors.progress import current_cycle, progress
from reporting.selectors.reports import my_reports_of, provinces_with, waiting_review
from reporting.services.reports import may_edit


def _provinces(scope: UserScope, *roles: str) -> list[Province]:
    """The provinces where the person holds any of `roles`, in Thai order (from the list held in the process)."""
    ids = provinces_with(scope, *roles)
    return [p for p in provinces_in_thai_order() if p.pk in ids] if ids else []


def home_sections(scope: UserScope, managed: list[Province]) -> dict[str, Any]:
    """What each section of the home page needs, for the roles in scope (`managed`: the provinces the person
    directs or heads, read once for both kinds of section)."""
    context: dict[str, Any] = {
        "officer_section": None,
        "province_sections": [],
        "sso_provinces": [],
        "national": None,
        "unit_sections": [],
    }
    officer = scope.officer
    if officer is not None and scope.has_role(Role.DISTRICT_OFFICER):
        provinces = _provinces(scope, Role.DISTRICT_OFFICER)
        context["officer_section"] = {
            "assignments": officer_districts(officer=officer),
            "contacts": province_contacts(provinces=provinces),
        }
    if managed:
        context["province_sections"] = [
            {
                "directory": province_directory(province=p),
                "as_director": scope.has_role(Role.GROUP_DIRECTOR, p),
                "as_head": scope.has_role(Role.PROVINCIAL_HEAD, p),
            }
            for p in managed
        ]
    sso = _provinces(scope, Role.SSO_ADMIN)
    if sso:
        context["sso_provinces"] = sso
    if scope.is_central:
        context["national"] = national_coverage()
    units = sorted(scope.units_by_role.get(Role.BUREAU_DESK, frozenset()))
    if units:
        context["unit_sections"] = unit_members(units=units)
    assert any(context.values()) == has_sections(scope), "has_sections() and home_sections() disagree"
    return context


# The sections home_sections() makes: each read by the page's template only when it draws them.
SECTIONS = ("officer_section", "province_sections", "sso_provinces", "national", "unit_sections")


def has_sections(scope: UserScope) -> bool:
    """Whether the person has any section of home_sections() (without making them)."""
    return bool(
        (scope.officer is not None and scope.has_role(Role.DISTRICT_OFFICER))
        or provinces_with(scope, Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD, Role.SSO_ADMIN)
        or scope.is_central
        or scope.units_by_role.get(Role.BUREAU_DESK)
    )


def reporting_sections(scope: UserScope, user: User, managed: list[Province]) -> dict[str, Any]:
    """The workload reporting sections (issue 5): the officer's reports of the open cycles, the director's
    review queue and their province's progress, the centre's national progress of the current cycle."""

    context: dict[str, Any] = {}
    now = timezone.now()
    if scope.has_role(Role.DISTRICT_OFFICER) or scope.has_role(Role.GROUP_DIRECTOR):
        reports = list(my_reports_of(user, scope).filter(cycle__status="OPEN"))
        for report in reports:
            report.overdue = report.is_overdue(now)  # type: ignore[attr-defined]
            report.editable = may_edit(user, report)  # type: ignore[attr-defined]
        if reports or scope.has_role(Role.DISTRICT_OFFICER):
            context["my_reports"] = reports
    if managed or scope.is_central:
        cycle = current_cycle()
        context["reporting_cycle"] = cycle
        if managed:
            ids = {p.pk for p in managed}
            context["review_waiting"] = waiting_review(user, ids).count()
            context["reporting_provinces"] = (
                [{"province": p, "progress": progress(cycle, province=p, now=now)} for p in managed]
                if cycle is not None
                else []
            )
        if scope.is_central and cycle is not None:
            context["reporting_national"] = progress(cycle, now=now)
    return context


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The sections of the person's work (what waits for them, their reports, their province's districts) are
    held rendered for them (templates/home/home.html, organisation/cached.py's person_held_key): while nothing
    they are made of changes, the page reads them from the shared cache and neither counts nor reads anything."""
    scope: UserScope = scope_of(request)
    user = request.user
    assert isinstance(user, User)

    @functools.cache
    def managed() -> list[Province]:
        return _provinces(scope, Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD)

    manages = bool(provinces_with(scope, Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD))
    return render(
        request,
        "home/home.html",
        {
            # Made only when the held sections are not.
            **made_when_drawn(lambda: home_sections(scope, managed()), SECTIONS),
            "has_sections": has_sections(scope),
            "problems": background_problems() if scope.is_central else None,
            "reporting": SimpleLazyObject(lambda: reporting_sections(scope, user, managed())),
            "reporting_shown": bool(manages or scope.is_central or scope.has_role(Role.DISTRICT_OFFICER)),
            "today": timezone.localdate(),
            "held_key": person_held_key(user),
            "held_seconds": PERSON_HELD_SECONDS,
        },
    )
