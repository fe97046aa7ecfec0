"""Benchmark of the coordination monitoring pages (issue 14 item 5): server time and queries of the national
page, a province's page, a bureau's page and the trends, over 100,000 requests and their viewflow tasks
(about 570,000), each step's deadline and some escalations.

    python -m tests.bench_request_monitoring     (make bench runs it; BENCH_REQUESTS=20000 for a quicker run)

The requests, processes and tasks are tests/bench_requests.py's (a throw-away database: SQLite, or with
DATABASE_URL a fresh test database); this module adds what the monitoring pages read besides: when each
request was routed, the deadline of every step done or open (a review for each request, an answer for
each one routed, an acceptance for each one answered), and escalations of the late ones. Prints, per page,
the median and p95 server time and the queries; exits non-zero when a page's query count grows with the
rows (the same page over one month, and over the fiscal year with three times the rows)."""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from typing import Any

os.environ.setdefault("BENCH_REQUESTS", "100000")
os.environ.setdefault("BENCH_ITERATIONS", "20")

from tests import bench_requests as base

ITERATIONS = int(os.environ["BENCH_ITERATIONS"])
TARGET_P95_MS = 100.0  # the page bound of the performance issue (issue 12): p95 under 100 ms

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def add_monitoring_data(now: datetime.datetime) -> dict[str, Any]:
    """Routing moments, each step's deadline and escalations for the requests bench_requests built."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import F
    from viewflow.workflow.models import Task

    from cases.models import CoordinationRequest, RequestStatus
    from deadlines.models import Deadline, DeadlineRule, ScheduledAction
    from organisation.models import Officer, Role, RoleAssignment, Unit

    CoordinationRequest.objects.exclude(status__in=[RequestStatus.REVIEW, RequestStatus.REJECTED]).update(
        routed_at=F("sent_at") + datetime.timedelta(hours=5)
    )
    CoordinationRequest.objects.filter(status=RequestStatus.CLOSED).update(
        closed_at=F("sent_at") + datetime.timedelta(days=6)
    )
    rules = {r.step: r for r in DeadlineRule.objects.filter(urgency="NORMAL", policy__is_active=True)}
    ct_task = ContentType.objects.get_for_model(Task)
    ct_request = ContentType.objects.get_for_model(CoordinationRequest)
    tasks: dict[tuple[int, str], int] = {}
    for pk, process_id, flow_task in Task.objects.filter(flow_task_type="HUMAN").values_list(
        "pk", "process_id", "flow_task"
    ):
        tasks[(process_id, getattr(flow_task, "name", str(flow_task).rsplit(".", 1)[-1]))] = pk
    deadlines = []
    for pk, status, sent, answered in CoordinationRequest.objects.values_list(
        "pk", "status", "sent_at", "answered_at"
    ).iterator(chunk_size=10000):
        late = pk % 5 == 0
        if sent is None:
            continue
        for node, step, start, done in (
            ("review", "coordination.review", sent, status != RequestStatus.REVIEW),
            ("handle", "coordination.answer", sent + datetime.timedelta(hours=5), answered is not None),
            ("acceptance", "coordination.acceptance", answered, status == RequestStatus.CLOSED),
        ):
            task_id = tasks.get((pk, node))
            if task_id is None or start is None:
                continue
            due = start + datetime.timedelta(days=1 if late else 5)
            closed = start + datetime.timedelta(days=3) if done else None
            deadlines.append(
                Deadline(
                    task_type=ct_task,
                    task_id=task_id,
                    case_type=ct_request,
                    case_id=pk,
                    step=step,
                    urgency="NORMAL",
                    rule=rules[step],
                    started_at=start,
                    due_at=due,
                    status=Deadline.Status.DONE if done else Deadline.Status.OPEN,
                    closed_at=closed,
                )
            )
    Deadline.objects.bulk_create(deadlines, batch_size=5000)
    actions = []
    for pk, due, closed in Deadline.objects.values_list("pk", "due_at", "closed_at").iterator(
        chunk_size=10000
    ):
        if due < now and (closed is None or closed > due):
            actions.append(
                ScheduledAction(
                    deadline_id=pk,
                    kind=ScheduledAction.Kind.ESCALATION,
                    position=1 + pk % 3,
                    fire_at=due,
                    status=ScheduledAction.Status.FIRED,
                    fired_at=due,
                )
            )
    ScheduledAction.objects.bulk_create(actions, batch_size=5000)
    User = get_user_model()
    central = User.objects.create(username="central", password="!")
    centre = Unit.objects.filter(kind=Unit.Kind.COORDINATION_CENTRE).first()
    officer = Officer.objects.create(
        user=central, prefix="นาย", first_name_th="ส่วนกลาง", last_name_th="ทดสอบ", unit=centre
    )
    RoleAssignment.objects.create(
        officer=officer, role=Role.CENTRAL_STAFF, unit=centre, start_date=datetime.date(2024, 10, 1)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "central": central,
        "desk": User.objects.get(username="desk"),
        "bureau": Unit.objects.get(code="local-finance"),
        "deadlines": len(deadlines),
        "escalations": len(actions),
    }


def measure(client: Client, user: Any, url: str) -> tuple[float, int, list[float]]:
    """The first look (the figures counted: its time and queries, the cache emptied before), then the
    pages of everyone after it within MONITORING_FIGURES_SECONDS (the figures held)."""
    from django.core.cache import cache

    client.get(url)  # the calendar, the templates: loaded before the first look
    cache.clear()  # the figures held, and the sessions (in the cache): sign in again
    client.force_login(user)
    client.get("/")  # the person's scope, cached again
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        t0 = time.perf_counter()
        response = client.get(url)
        first = (time.perf_counter() - t0) * 1000
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(ITERATIONS):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    return first, queries, times


def detail(fy: int) -> None:
    """Time of each part of the national page's figures (BENCH_DETAIL=1)."""
    from django.utils import timezone

    from cases.selectors import monitoring as m
    from workdays.calendar import working_calendar

    period = m.fiscal_year_period(fy)
    now = timezone.now()
    calendar = working_calendar()
    qs = m.requests_in(m.MonitorScope(everything=True))
    start, end = period.moments
    parts = {
        "counts": lambda: m._counts(qs, period, now),
        "figures": lambda: m.figures(qs, period, now=now, calendar=calendar),
        "step shares": lambda: m.step_shares(qs, period),
        "escalations": lambda: m.escalations(qs, period),
        "durations": lambda: m._durations(
            qs.filter(m.event_q("answered", start, end)).annotate(group=m.F("province_id")),
            "sent_at",
            "answered_at",
            calendar,
        ),
        "province rows": lambda: m.province_rows(qs, period, now=now, calendar=calendar),
        "unit rows": lambda: m.unit_rows(qs, period, now=now, calendar=calendar),
        "grouped": lambda: m._grouped(qs, "province_id", period, now),
        "answered on time": lambda: m._answered_on_time(qs, "target_province_id", period),
    }
    for name, call in parts.items():
        t0 = time.perf_counter()
        call()
        print(f"  {name:<20}{(time.perf_counter() - t0) * 1000:>9.1f} ms")


def main() -> int:
    from django.conf import settings
    from django.test.utils import get_runner
    from django.urls import reverse
    from django.utils import timezone

    from workdays.calendar import fiscal_year

    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        now = timezone.now()
        t0 = time.perf_counter()
        world = base.build(now)
        extra = add_monitoring_data(now)
        print(
            f"set-up: {time.perf_counter() - t0:.1f} s on {connection.vendor}: {base.REQUESTS:,} requests, "
            f"{world['tasks']:,} tasks, {extra['deadlines']:,} deadlines, {extra['escalations']:,} escalations; "
            f"{ITERATIONS} iterations a page"
        )
        fy = fiscal_year(timezone.localdate())
        # The same pages over the fiscal year and over one month of it (a third of the rows): the query
        # count must not grow with the rows.
        month = timezone.localdate() - datetime.timedelta(days=35)
        full, empty = f"?period={fy}", f"?period={month.year + 543}-{month.month:02d}"
        province = world["province"].pk
        bureau = extra["bureau"].pk
        pages = [
            ("national page", extra["central"], reverse("requests:monitor-national")),
            ("province page", world["director"], reverse("requests:monitor-province", args=[province])),
            ("unit page", extra["desk"], reverse("requests:monitor-unit", args=[bureau])),
            ("trends, whole country", extra["central"], reverse("requests:monitor-trends")),
        ]
        print(
            f"\n{'page':<28}{'queries':>9}{'(a month)':>11}{'first look ms':>15}"
            f"{'then: median ms':>17}{'p95 ms':>9}"
        )
        failures, warnings = [], []
        for label, user, url in pages:
            client = Client()
            client.force_login(user)
            first, queries, times = measure(client, user, url + full)
            _first, queries_empty, _times = measure(client, user, url + empty)
            median, p95 = statistics.median(times), statistics.quantiles(times, n=100)[94]
            print(f"{label:<28}{queries:>9}{queries_empty:>11}{first:>15.1f}{median:>17.1f}{p95:>9.1f}")
            if queries > queries_empty:
                failures.append(f"{label}: {queries} queries over the year, {queries_empty} over a month")
            if p95 > TARGET_P95_MS:
                warnings.append(f"{label}: p95 {p95:.0f} ms over {TARGET_P95_MS:.0f} ms")
        if os.environ.get("BENCH_DETAIL") == "1":
            detail(fy)
        print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        for warning in warnings:
            print(f"WARN: {warning}")
        for failure in failures:
            print(f"FAIL: query count grows with rows: {failure}")
        return 1 if failures else 0
    finally:
        runner.teardown_databases(old_config)
        base._tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
