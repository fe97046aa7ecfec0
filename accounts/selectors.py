"""Reads for account administration: who administers which province, and the accounts they see."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone

from organisation.models import Officer, Province, Role, RoleAssignment
from organisation.selectors.roles import UserScope
from workdays.thai import thai_order


def sso_admins(*, province: Province) -> list[Officer]:
    """The province's SSO admins today, with their contact details."""
    ids = (
        RoleAssignment.objects.current()
        .filter(role=Role.SSO_ADMIN, province=province)
        .values_list("officer_id", flat=True)
    )
    return list(
        Officer.objects.filter(pk__in=ids, is_active=True).order_by(
            thai_order("first_name_th"), thai_order("last_name_th")
        )
    )


def offices() -> QuerySet[Province]:
    """Provinces with a provincial local administration office (not Bangkok)."""
    return Province.objects.outside_bangkok().order_by(thai_order("name_th"))


def administered_provinces(scope: UserScope) -> QuerySet[Province]:
    """Where the person administers accounts: their SSO-admin provinces; every office for central staff."""
    if scope.is_central:
        return offices()
    return offices().filter(pk__in=scope.provinces_by_role.get(Role.SSO_ADMIN, frozenset()))


def may_administer(scope: UserScope, province: Province) -> bool:
    return scope.is_central or scope.has_role(Role.SSO_ADMIN, province)


def officers_of(*, province: Province, query: str = "") -> QuerySet[Officer]:
    officers = Officer.objects.filter(province=province).select_related("user")
    for word in query.split()[:5]:
        officers = officers.filter(
            Q(first_name_th__icontains=word)
            | Q(last_name_th__icontains=word)
            | Q(first_name_en__icontains=word)
            | Q(last_name_en__icontains=word)
            | Q(email__icontains=word)
            | Q(user__username__icontains=word)
        )
    return officers.order_by(thai_order("first_name_th"), thai_order("last_name_th"))


def current_roles(officer: Officer) -> list[RoleAssignment]:
    return list(
        RoleAssignment.objects.current(timezone.localdate())
        .filter(officer=officer)
        .select_related("province", "unit")
        .order_by("role")
    )


def officer_for_username(username: str) -> Officer | None:
    user = User.objects.filter(username=username).first()
    if user is None:
        return None
    return Officer.objects.filter(user=user).select_related("province").first()
