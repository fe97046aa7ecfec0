"""The cycle's own notices beside each report's reminders: "closing soon" to the group directors and
provincial heads whose provinces still have reports missing, one working day before the province's own
close. A province's close is the latest deadline of its reports not complete: the cycle's, or the latest
extension granted there. Never for a close that has passed, never on a non-working day, once per province
and cycle (ClosingSoonNotice); the notice carries the province's close, which its text states in Thai with
the Buddhist Era year."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from notifications import webhooks
from notifications.models import Kind, WebhookEventKind
from notifications.services import Event, notify_many
from organisation.models import Role, RoleAssignment
from reporting.models import ClosingSoonNotice, ReportingCycle
from workdays.calendar import WorkingCalendar, working_calendar

CLOSING_SOON_WORKING_DAYS = 1


def closing_soon_moment(closes_at: datetime.datetime, calendar: WorkingCalendar) -> datetime.datetime:
    """The opening of office one working day before the day of `closes_at` (Bangkok's day)."""
    day = timezone.localtime(closes_at).date()
    return calendar.opening(calendar.add_working_days(day, -CLOSING_SOON_WORKING_DAYS))


def province_closes(cycle: ReportingCycle) -> dict[int, tuple[datetime.datetime, int]]:
    """Each province with reports not complete: its close (their latest deadline) and how many they are."""
    return {
        row["province"]: (row["closes_at"], row["missing"])
        for row in cycle.reports.filter(complete=False)
        .order_by()
        .values("province")
        .annotate(closes_at=Max("due_at"), missing=Count("pk"))
    }


def closing_soon_notify(*, now: datetime.datetime) -> int:
    """Tell each province's director and head, once per cycle, how many of their reports are still
    missing, from one working day before the province's close until it passes, on working days only.
    Returns the number of notifications written. Safe to run often and from two workers: each cycle is
    claimed under its row lock, and each province is recorded in the same transaction."""
    calendar = working_calendar()
    if not calendar.is_working_day(timezone.localdate(now)):
        return 0
    written = 0
    for cycle_id in ReportingCycle.objects.filter(status=ReportingCycle.Status.OPEN).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            cycle = (
                ReportingCycle.objects.select_for_update(skip_locked=True)
                .filter(pk=cycle_id, status=ReportingCycle.Status.OPEN)
                .first()
            )
            if cycle is not None:
                written += _notify_cycle(cycle, now=now, calendar=calendar)
    return written


def _notify_cycle(cycle: ReportingCycle, *, now: datetime.datetime, calendar: WorkingCalendar) -> int:
    told = set(cycle.closing_soon_notices.values_list("province_id", flat=True))
    due = {
        province_id: (closes_at, missing)
        for province_id, (closes_at, missing) in province_closes(cycle).items()
        if province_id not in told and closing_soon_moment(closes_at, calendar) <= now < closes_at
    }
    if not due:
        return 0
    leaders = (
        RoleAssignment.objects.current(timezone.localdate(now))
        .filter(
            role__in=[Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD],
            province__in=list(due),
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
                "due_at": due[a.province_id][0].isoformat(),
                "missing": due[a.province_id][1],
            },
        )
        for a in leaders
        if a.province_id is not None
    ]
    ClosingSoonNotice.objects.bulk_create(
        ClosingSoonNotice(
            cycle=cycle, province_id=province_id, closes_at=closes_at, missing=missing, sent_at=now
        )
        for province_id, (closes_at, missing) in due.items()
    )
    webhooks.emit_many(
        events=[
            (
                WebhookEventKind.CYCLE_CLOSING_SOON,
                province_id,
                webhooks.object_data(
                    cycle, label=cycle.label, closes_at=closes_at.isoformat(), missing=missing
                ),
            )
            for province_id, (closes_at, missing) in due.items()
        ],
        now=now,
    )
    return len(notify_many(events=events, now=now))
