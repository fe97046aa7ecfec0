"""The cycle's own notices beside each report's reminders: "closing soon" to the group directors and
provincial heads whose provinces still have reports missing, one working day before the closing date."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from notifications.models import Kind
from notifications.services import Event, notify_many
from organisation.models import Role, RoleAssignment
from reporting.models import ReportingCycle
from workdays.calendar import working_calendar

CLOSING_SOON_WORKING_DAYS = 1


def closing_soon_moment(cycle: ReportingCycle) -> datetime.datetime:
    calendar = working_calendar()
    return calendar.opening(calendar.add_working_days(cycle.closes_on, -CLOSING_SOON_WORKING_DAYS))


def closing_soon_notify(*, now: datetime.datetime) -> int:
    """Tell each province's director and head, once per cycle, how many of their reports are still
    missing. Returns the number of notifications written. Safe to run often and from two workers: each
    cycle is claimed under its row lock and marked sent in the same transaction."""
    written = 0
    for cycle_id in ReportingCycle.objects.filter(
        status=ReportingCycle.Status.OPEN, closing_soon_sent_at__isnull=True
    ).values_list("pk", flat=True):
        with transaction.atomic():
            cycle = (
                ReportingCycle.objects.select_for_update(skip_locked=True)
                .filter(pk=cycle_id, status=ReportingCycle.Status.OPEN, closing_soon_sent_at__isnull=True)
                .first()
            )
            if cycle is None or now < closing_soon_moment(cycle):
                continue
            missing = dict(
                cycle.reports.values("province")
                .annotate(n=Count("pk", filter=Q(complete=False)))
                .filter(n__gt=0)
                .values_list("province", "n")
            )
            leaders = (
                RoleAssignment.objects.current(timezone.localdate(now))
                .filter(
                    role__in=[Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD],
                    province__in=list(missing),
                    officer__user__isnull=False,
                )
                .select_related("officer__user")
            )
            events = [
                Event(
                    [a.officer.user],
                    Kind.CYCLE_CLOSING_SOON,
                    {
                        "subject": cycle.label,
                        "url": reverse(
                            "reporting:province", kwargs={"cycle_pk": cycle.pk, "province_pk": a.province_id}
                        ),
                        "due_at": cycle.due_at.isoformat(),
                        "missing": missing[a.province_id],
                    },
                )
                for a in leaders
                if a.province_id is not None
            ]
            written += len(notify_many(events=events, now=now))
            cycle.closing_soon_sent_at = now
            cycle.save(update_fields=["closing_soon_sent_at"])
    return written
