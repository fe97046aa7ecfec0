"""Each role lands on its own home page: one section per role the person holds today.

Later issues add tasks and queues: each section is its own template (templates/cases/home_*.html), and
the view only gathers what the sections render.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases.context_processors import current_roles
from cases.models import Province, Role
from cases.selectors.directory import (
    national_coverage,
    officer_districts,
    province_contacts,
    province_directory,
    unit_members,
)
from cases.selectors.problems import background_problems
from cases.selectors.roles import UserScope


def _provinces(scope: UserScope, *roles: str) -> list[Province]:
    ids: set[int] = set()
    for role in roles:
        ids |= scope.provinces_by_role.get(role, frozenset())
    return list(Province.objects.filter(pk__in=ids).order_by("name_th")) if ids else []


def home_sections(scope: UserScope) -> dict[str, Any]:
    """What each section of the home page needs, for the roles in scope."""
    context: dict[str, Any] = {}
    officer = scope.officer
    if officer is not None and scope.has_role(Role.DISTRICT_OFFICER):
        provinces = _provinces(scope, Role.DISTRICT_OFFICER)
        context["officer_section"] = {
            "assignments": officer_districts(officer=officer),
            "contacts": province_contacts(provinces=provinces),
        }
    managed = _provinces(scope, Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD)
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
        context["problems"] = background_problems()
    units = sorted(scope.units_by_role.get(Role.BUREAU_DESK, frozenset()))
    if units:
        context["unit_sections"] = unit_members(units=units)
    context["has_sections"] = bool(context)
    return context


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope: UserScope = current_roles(request)["scope"]
    return render(request, "cases/home.html", {**home_sections(scope), "today": timezone.localdate()})
