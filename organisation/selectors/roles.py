"""Who holds which role, where, on a given day."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from organisation.cached import SCOPE_VERSION_KEY, held_cache, stamp, stamp_anew
from organisation.models import (
    ActingDeputy,
    DistrictAssignment,
    Officer,
    Province,
    Role,
    RoleAssignment,
    Unit,
)
from workdays.thai import thai_order


@dataclass(frozen=True)
class UserScope:
    """The roles a user holds today and the provinces and units they reach."""

    officer: Officer | None
    roles: frozenset[str] = frozenset()
    provinces_by_role: dict[str, frozenset[int]] = field(default_factory=dict)
    units_by_role: dict[str, frozenset[int]] = field(default_factory=dict)
    is_superuser: bool = False

    @property
    def is_central(self) -> bool:
        return self.is_superuser or Role.CENTRAL_STAFF in self.roles

    def has_role(self, role: str, province: Province | None = None) -> bool:
        if province is None:
            return role in self.roles
        return province.pk in self.provinces_by_role.get(role, frozenset())

    @property
    def province_ids(self) -> frozenset[int]:
        ids: set[int] = set()
        for provinces in self.provinces_by_role.values():
            ids |= provinces
        return frozenset(ids)

    @property
    def manages_provinces(self) -> bool:
        """Has a province management page: central staff, or a provincial head."""
        return self.is_central or Role.PROVINCIAL_HEAD in self.roles

    def may_manage_province(self, province: Province) -> bool:
        """Appoint and assign in a province: its provincial head, or central staff (source, Part 1)."""
        return self.is_central or self.has_role(Role.PROVINCIAL_HEAD, province)


def user_scope(user: User | AnonymousUser, on: datetime.date | None = None) -> UserScope:
    if not user.is_authenticated:
        return UserScope(officer=None)
    on = on or timezone.localdate()
    officer = Officer.objects.filter(user=user, is_active=True).select_related("province", "unit").first()
    is_superuser = bool(getattr(user, "is_superuser", False))
    if officer is None:
        return UserScope(officer=None, is_superuser=is_superuser)
    provinces: dict[str, set[int]] = {}
    units: dict[str, set[int]] = {}
    roles: set[str] = set()
    for role, province_id, unit_id in (
        RoleAssignment.objects.current(on)
        .filter(officer=officer)
        .values_list("role", "province_id", "unit_id")
    ):
        roles.add(role)
        if province_id:
            provinces.setdefault(role, set()).add(province_id)
        if unit_id:
            units.setdefault(role, set()).add(unit_id)
    # An acting deputy acts as group director of the province on their days.
    for province_id in (
        ActingDeputy.objects.current(on).filter(deputy=officer).values_list("province_id", flat=True)
    ):
        roles.add(Role.GROUP_DIRECTOR)
        provinces.setdefault(Role.GROUP_DIRECTOR, set()).add(province_id)
    return UserScope(
        officer=officer,
        roles=frozenset(roles),
        provinces_by_role={k: frozenset(v) for k, v in provinces.items()},
        units_by_role={k: frozenset(v) for k, v in units.items()},
        is_superuser=is_superuser,
    )


# Every page shows the person's roles: their scope is kept in the cache, under a version that any change of
# roles, deputies, officers, provinces or units replaces (organisation/apps.py connects the signals; a bulk
# write calls scopes_forget itself). The expiry only bounds what a change made behind our back can leave.
SCOPE_CACHE_SECONDS = 300


def user_scope_cached(user: User | AnonymousUser) -> UserScope:
    """user_scope for today, from the cache when nothing changed since it was computed (pages only: the
    services check rights with user_scope itself)."""
    if not user.is_authenticated:
        return UserScope(officer=None)
    on = timezone.localdate()
    key = f"organisation:scope:{stamp(SCOPE_VERSION_KEY)}:{user.pk}:{on.isoformat()}"
    scope = held_cache.get(key)
    if scope is None:
        scope = user_scope(user, on)
        held_cache.set(key, scope, SCOPE_CACHE_SECONDS)
    return scope


def scopes_forget(**_signal: object) -> None:
    """Roles, deputies or officers changed: every cached scope is stale, now and once the change commits."""
    stamp_anew(SCOPE_VERSION_KEY)


# Who holds a role, or acts for the group director, on a given day. When several rows cover the day (a new
# appointment that starts before the old one's end date, two acting deputies set for the same days) one
# rule decides, everywhere: only active officers count; then the row whose dates began last; then the row
# recorded last.
LATEST_FIRST = ("-start_date", "-pk")


def role_holder(*, province: Province, role: str, on: datetime.date | None = None) -> Officer | None:
    """The officer holding a role of the province on the day (the tie-break above)."""
    assignment = (
        RoleAssignment.objects.current(on)
        .filter(province=province, role=role, officer__is_active=True)
        .select_related("officer")
        .order_by(*LATEST_FIRST)
        .first()
    )
    return assignment.officer if assignment else None


def acting_group_director(*, province: Province, on: datetime.date | None = None) -> Officer | None:
    """Whoever acts as group director on the day: the acting deputy when one is set, else the director
    (the tie-break above)."""
    deputy = (
        ActingDeputy.objects.current(on)
        .filter(province=province, deputy__is_active=True)
        .select_related("deputy")
        .order_by(*LATEST_FIRST)
        .first()
    )
    if deputy:
        return deputy.deputy
    return role_holder(province=province, role=Role.GROUP_DIRECTOR, on=on)


def province_director(*, province: Province, on: datetime.date | None = None) -> Officer | None:
    """Who directs the province on the day, and so reviews its work in both workflows: whoever acts as group
    director, else (no group director) the provincial head."""
    return acting_group_director(province=province, on=on) or role_holder(
        province=province, role=Role.PROVINCIAL_HEAD, on=on
    )


def district_responsible(
    *, on: datetime.date, districts: Iterable[int] | None = None, provinces: Iterable[int] | None = None
) -> dict[int, Officer]:
    """The officer responsible for each district on the day (district id → officer), for the given districts
    or those of the given provinces: only active officers with an active account count; the latest
    assignment wins when two cover the day. A district nobody holds is absent."""
    assignments = DistrictAssignment.objects.current(on).filter(
        officer__is_active=True, officer__user__is_active=True
    )
    if districts is not None:
        assignments = assignments.filter(district__in=list(districts))
    if provinces is not None:
        assignments = assignments.filter(district__province__in=list(provinces))
    return {
        a.district_id: a.officer
        for a in assignments.select_related("officer__user").order_by("start_date", "pk")
    }


def desk_members(unit: Unit, on: datetime.date | None = None) -> list[Officer]:
    """Who draws from a unit's pool on the day: its bureau desk (for the coordination centre: central staff)."""
    role = Role.CENTRAL_STAFF if unit.kind == Unit.Kind.COORDINATION_CENTRE else Role.BUREAU_DESK
    assignments = RoleAssignment.objects.current(on).filter(role=role)
    if role == Role.BUREAU_DESK:
        assignments = assignments.filter(unit=unit)
    return list(
        Officer.objects.filter(pk__in=assignments.values("officer_id"), user__isnull=False, is_active=True)
        .select_related("user")
        .order_by(thai_order("first_name_th"))
    )
