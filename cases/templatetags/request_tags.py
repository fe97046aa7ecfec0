"""The coordination request section of the home page: what waits for the signed-in person."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from cases.models import CoordinationRequest, RequestStatus
from cases.selectors.requests import waiting_for
from organisation.models import Role, Unit
from organisation.scope import scope_of
from organisation.selectors.roles import UserScope

register = template.Library()


@register.inclusion_tag("requests/home_section.html", takes_context=True)
def requests_home(context: template.Context) -> dict[str, Any]:
    """One query for the counts (a second for the list when something waits)."""
    request = context["request"]
    scope: UserScope = scope_of(request)
    user = request.user
    if scope.officer is None:
        return {"show": False}
    now = timezone.now()
    desk_units = scope.units_by_role.get(Role.BUREAU_DESK, frozenset())
    pool_q = Q(holder_unit_id__in=desk_units)
    if scope.is_central:
        pool_q |= Q(holder_unit__kind=Unit.Kind.COORDINATION_CENTRE)
    pool_q &= Q(holder__isnull=True)
    counts = CoordinationRequest.objects.filter(
        Q(holder=user) | pool_q, status__in=RequestStatus.open_states()
    ).aggregate(
        mine=Count("pk", filter=Q(holder=user)),
        overdue=Count("pk", filter=Q(holder=user, due_at__lt=now)),
        pool=Count("pk", filter=pool_q),
    )
    rows = list(waiting_for(user)[:5]) if counts["mine"] else []
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
