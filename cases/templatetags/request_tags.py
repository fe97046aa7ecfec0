"""The coordination request section of the home page: what waits for the signed-in person."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from cases.models import CoordinationRequest, RequestStatus
from cases.selectors.requests import waiting_for_first
from organisation.models import Role, Unit
from organisation.scope import scope_of
from organisation.selectors.roles import UserScope

register = template.Library()


@register.inclusion_tag("requests/home_section.html", takes_context=True)
def requests_home(context: template.Context) -> dict[str, Any]:
    """Two indexed counts (held by the person, unclaimed in their pools), and the list when something waits."""
    request = context["request"]
    scope: UserScope = scope_of(request)
    user = request.user
    if scope.officer is None:
        return {"show": False}
    now = timezone.now()
    desk_units = scope.units_by_role.get(Role.BUREAU_DESK, frozenset())
    # Two counts, each on its own index: what the person holds (request_holder), and what waits unclaimed in
    # their pools (request_pool_unclaimed). One query with "holder = me OR (pool AND holder IS NULL)" read
    # every unit-held open request, and central staff's pool joined the units to find the centre.
    counts = CoordinationRequest.objects.filter(
        holder=user, status__in=RequestStatus.open_states()
    ).aggregate(mine=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
    pool_q = Q(holder_unit_id__in=desk_units)
    if scope.is_central:
        # A subquery, not a join: the planner walks the partial index for the centre's rows only.
        pool_q |= Q(holder_unit_id__in=Unit.objects.filter(kind=Unit.Kind.COORDINATION_CENTRE).values("pk"))
    counts["pool"] = (
        CoordinationRequest.objects.filter(
            pool_q, holder__isnull=True, status__in=RequestStatus.open_states()
        ).count()
        if desk_units or scope.is_central
        else 0
    )
    rows = waiting_for_first(user) if counts["mine"] else []
    is_requester = scope.has_role(Role.DISTRICT_OFFICER)
    return {
        "show": bool(counts["mine"] or counts["pool"] or is_requester or scope.is_central or scope.roles),
        "counts": counts,
        "rows": rows,
        "now": now,
        "is_requester": is_requester,
        "has_pool": bool(desk_units) or scope.is_central,
        "is_central": scope.is_central,
        "manages_province": bool(
            scope.provinces_by_role.get(Role.GROUP_DIRECTOR)
            or scope.provinces_by_role.get(Role.PROVINCIAL_HEAD)
        ),
    }
