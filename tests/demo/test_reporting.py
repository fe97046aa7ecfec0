"""The demo of `make run` for the reporting cycle: every province staffed, a cycle in progress with the
country filling in (every colour, within an extension, overdue, extended, returned with comments), three closed cycles
with complete data, the demo sign-ins with something to do; seeding again changes nothing."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from viewflow.workflow.models import Task

from deadlines.models import TimelineEntry
from demo.reporting import quarter_of
from notifications.models import Delivery, Notification
from organisation.models import DistrictAssignment, Officer, Province, Role, RoleAssignment
from organisation.models.geography import BANGKOK_CODE
from reporting.models import DistrictReport, ReportingCycle, ReportStatus, ReportValue
from reporting.services.reports import open_task

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "label", "start", "end"),
    [
        (
            datetime.date(2026, 10, 16),
            "ไตรมาส 1/2570",
            datetime.date(2026, 10, 1),
            datetime.date(2026, 12, 31),
        ),
        (
            datetime.date(2026, 12, 31),
            "ไตรมาส 1/2570",
            datetime.date(2026, 10, 1),
            datetime.date(2026, 12, 31),
        ),
        (datetime.date(2027, 1, 1), "ไตรมาส 2/2570", datetime.date(2027, 1, 1), datetime.date(2027, 3, 31)),
        (datetime.date(2026, 4, 13), "ไตรมาส 3/2569", datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
        (datetime.date(2026, 9, 30), "ไตรมาส 4/2569", datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
    ],
)
def test_the_quarters_of_the_thai_fiscal_year(
    day: datetime.date, label: str, start: datetime.date, end: datetime.date
) -> None:
    quarter = quarter_of(day)
    assert (quarter.label, quarter.start, quarter.end) == (label, start, end)


MODELS = (
    User,
    Officer,
    DistrictAssignment,
    ReportingCycle,
    DistrictReport,
    ReportValue,
    Notification,
    TimelineEntry,
    Task,
)


def _counts() -> list[int]:
    return [model.objects.count() for model in MODELS]  # type: ignore[attr-defined]


def test_the_demo_country_fills_in_a_cycle_and_seeding_again_changes_nothing() -> None:
    call_command("seed_demo", "--force")  # DEBUG is off in the tests
    today = timezone.localdate()
    assert not [u for u in User.objects.all() if u.has_usable_password()]  # no shared password outside DEBUG

    # Every province staffed: a director and a head, an officer for nearly every district.
    leaders = RoleAssignment.objects.current(today).filter(
        role__in=[Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD]
    )
    provinces = Province.objects.outside_bangkok()
    assert set(leaders.filter(role=Role.GROUP_DIRECTOR).values_list("province", flat=True)) == set(
        provinces.values_list("pk", flat=True)
    )
    assert leaders.filter(role=Role.PROVINCIAL_HEAD).values("province").distinct().count() == 76
    held = DistrictAssignment.objects.current(today).exclude(district__province__code=BANGKOK_CODE)
    assert 850 <= held.values("district").distinct().count() < 878  # a few with nobody: the flag shows
    per_officer = Counter(held.values("officer").annotate(n=Count("pk")).values_list("n", flat=True))
    assert per_officer[2] > 20 and per_officer[3] > 5

    # The cycle in progress: the quarter of forty days ago, the whole country in every colour.
    cycle = ReportingCycle.objects.get(status=ReportingCycle.Status.OPEN)
    quarter = quarter_of(today - datetime.timedelta(days=40))
    assert (cycle.label, cycle.period_start, cycle.period_end) == (quarter.label, quarter.start, quarter.end)
    assert cycle.opens_on < today and cycle.districts_spawned == cycle.reports.count() == 878
    reports = cycle.reports.all()
    assert set(reports.values_list("status", flat=True)) == set(ReportStatus.values)
    progress = {
        row["province"]: row["done"] / row["n"]
        for row in reports.values("province").annotate(
            n=Count("pk"), done=Count("pk", filter=Q(complete=True))
        )
    }
    assert sum(share >= 0.8 for share in progress.values()) >= 10  # nearly all green
    assert sum(share <= 0.2 for share in progress.values()) >= 5  # mostly grey
    now = timezone.now()
    overdue = reports.filter(complete=False, due_at__lt=now).exclude(status=ReportStatus.SUBMITTED)
    assert 1 <= overdue.count() <= 40  # a handful, not extended
    # Those who reported after the original deadline did so within their extension: none is late.
    assert (
        reports.filter(within_extension=True).exists() and reports.exclude(extension_reason="").count() > 100
    )
    assert not reports.filter(late=True).exists()
    assert all(r.review_comments.get("general") for r in reports.filter(status=ReportStatus.RETURNED))
    assert ReportValue.objects.filter(report__cycle=cycle, value=0).exists()
    assert reports.filter(unassigned=True).exists()

    # The demo sign-ins have something to do.
    mine = {r.status for r in reports.filter(assignee__username="cm.officer1")}
    assert mine == {ReportStatus.RETURNED, ReportStatus.DRAFT}
    director = User.objects.get(username="cm.director")
    waiting = [r for r in reports.filter(province__code="50", status=ReportStatus.SUBMITTED)]
    assert sum(1 for r in waiting if (task := open_task(r, "review")) and task.owner == director) >= 3

    # Three closed quarters before it, with complete data for the comparisons and the history.
    closed = list(ReportingCycle.objects.filter(status=ReportingCycle.Status.CLOSED).order_by("opens_on"))
    labels: list[str] = []
    q = quarter
    for _ in range(3):
        q = quarter_of(q.start - datetime.timedelta(days=1))
        labels.insert(0, q.label)
    assert [c.label for c in closed] == labels
    for old in closed:
        assert old.reports.count() == 878 and old.reports.filter(complete=True).count() > 830
        assert ReportValue.objects.filter(report__cycle=old).count() > 830 * old.indicators.count()
        assert (
            old.reports.filter(within_extension=True).exists() and not old.reports.filter(late=True).exists()
        )

    # What happened in the past was delivered then: no e-mail storm on the first `make run`.
    pending = Delivery.objects.filter(
        status=Delivery.Status.PENDING, notification__context__url__startswith="/reports/"
    )
    assert not pending.exists()

    before = _counts()
    with CaptureQueriesContext(connection) as queries:  # a second `make run` looks, and writes nothing
        call_command("seed_demo", "--force")
    assert _counts() == before
    writes = ("INSERT", "UPDATE", "DELETE")
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(writes)]
    assert len(queries.captured_queries) <= 20
