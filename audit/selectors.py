"""Reading the audit log: central staff search all of it, a provincial head their province's."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import AuditEntry
from organisation.models import Role
from organisation.selectors.roles import UserScope


def may_read(scope: UserScope) -> bool:
    return scope.is_central or Role.PROVINCIAL_HEAD in scope.roles


def entries_search(
    *,
    scope: UserScope,
    person: str = "",
    subject: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("content_type", "actor__officer", "province")
    if not scope.is_central:
        entries = entries.filter(
            province_id__in=scope.provinces_by_role.get(Role.PROVINCIAL_HEAD, frozenset())
        )
    if person:
        entries = entries.filter(
            Q(actor__username__icontains=person)
            | Q(actor_email__icontains=person)
            | Q(actor__officer__first_name_th__icontains=person)
            | Q(actor__officer__last_name_th__icontains=person)
            | Q(actor__officer__first_name_en__icontains=person)
            | Q(actor__officer__last_name_en__icontains=person)
        )
    if subject:
        entries = entries.filter(
            Q(object_repr__icontains=subject)
            | Q(content_type__model__icontains=subject)
            | Q(object_pk=subject)
        )
    tz = timezone.get_current_timezone()
    if date_from:
        entries = entries.filter(timestamp__gte=datetime.datetime.combine(date_from, datetime.time.min, tz))
    if date_to:
        entries = entries.filter(
            timestamp__lt=datetime.datetime.combine(
                date_to + datetime.timedelta(days=1), datetime.time.min, tz
            )
        )
    return entries.order_by("-timestamp", "-pk")
