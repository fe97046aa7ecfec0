"""No page's time grows with the data (issue 12, goal 2): every query the measured pages run reads the tables
that grow (requests, tasks, timelines, reports and their values, notifications and deliveries) through an
index, never by reading the whole table.

PostgreSQL only. The planner is asked with sequential scans priced out (enable_seqscan off): a query that
still reads a growing table from end to end has no index to use, however small the test's data (with the
test's few rows the planner may walk a whole index instead of the table; over the national data set it uses
the same indexes with a condition: tests/bench_load.py measures those pages under load).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from notifications.models import Delivery, Kind
from notifications.services import notify
from reporting.models import ReportingCycle
from tests.coordination import Org, clock, media_in_tmp, org, sent_request  # noqa: F401  (fixtures)
from tests.reporting.conftest import new_cycle, small_cycle  # noqa: F401  (fixtures)

pytestmark = pytest.mark.postgres

GROWING = {
    "cases_coordinationrequest",
    "cases_attachment",
    "viewflow_process",
    "viewflow_task",
    "deadlines_timelineentry",
    "deadlines_deadline",
    "deadlines_scheduledaction",
    "reporting_districtreport",
    "reporting_reportvalue",
    "notifications_notification",
    "notifications_delivery",
}


def _pages(people: Org, cycle: ReportingCycle) -> list[tuple[str, Any, str]]:
    return [
        ("home, district officer", people.officer, "/"),
        ("home, group director", people.director, "/"),
        ("home, provincial head", people.head, "/"),
        ("home, central staff", people.central, "/"),
        ("home, unit member", people.desk, "/"),
        ("directory search", people.officer, "/directory/?q=สมชาย"),
        ("officer's request list", people.officer, "/requests/"),
        ("director's queue", people.director, "/requests/queue/"),
        ("national reporting page", people.central, f"/reports/cycles/{cycle.pk}/"),
        ("notifications", people.officer, "/notifications/"),
    ]


def _queries(client: Client, url: str) -> list[tuple[str, Any]]:
    caught: list[tuple[str, Any]] = []

    def catch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        caught.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(catch):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return caught


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _plan_nodes(sql: str, params: Any) -> list[dict[str, Any]]:
    """Every node of the plan PostgreSQL picks for this query, with sequential scans priced out."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
    return list(_nodes((json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]))


def whole_table_reads(sql: str, params: Any) -> list[str]:
    """The growing tables this query reads from end to end, by the plan PostgreSQL picks for it."""
    return [
        f"Seq Scan on {node['Relation Name']}"
        for node in _plan_nodes(sql, params)
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in GROWING
    ]


@pytest.fixture
def data(org: Org, small_cycle: ReportingCycle) -> ReportingCycle:  # noqa: F811
    """A little of everything the pages show: requests in a pool and at a province, notifications, a failed
    delivery."""
    sent_request(org)
    sent_request(org, target=org.lamphun)
    notify(
        recipients=[org.officer, org.central],
        kind=Kind.TASK_ASSIGNED,
        context={"subject": "x"},
        now=timezone.now(),
    )
    Delivery.objects.filter(pk=Delivery.objects.order_by("pk").values("pk")[:1]).update(
        status=Delivery.Status.FAILED
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return small_cycle


def test_the_measured_pages_read_no_growing_table_whole(org: Org, data: ReportingCycle) -> None:  # noqa: F811
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = {row[0] for row in cursor.fetchall()}
    assert tables >= GROWING, GROWING - tables  # a renamed table must not pass unseen
    problems = []
    for label, user, url in _pages(org, data):
        client = Client()
        client.force_login(user, backend="accounts.backends.LocalBackend")
        client.get(url)  # warm: the session, the person's scope and the footer in the cache
        for sql, params in _queries(client, url):
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            for read in whole_table_reads(sql, params):
                problems.append(f"{label}: {read}: {sql[:300]}")
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
def test_the_plan_check_sees_a_count_with_no_index() -> None:
    """The check itself: counting deliveries by a column no index starts with reads the whole table."""
    assert whole_table_reads('SELECT COUNT(*) FROM "notifications_delivery" WHERE "attempts" = %s', [3]) == [
        "Seq Scan on notifications_delivery"
    ]


def _indexes_used(sql: str, params: Any) -> set[str]:
    return {node["Index Name"] for node in _plan_nodes(sql, params) if "Index Name" in node}


def test_a_persons_open_tasks_are_read_through_their_own_index(org: Org, data: ReportingCycle) -> None:  # noqa: F811
    """The review queue's "waiting for me" finds the person's open tasks through task_owner_open, not by
    intersecting all their tasks with every open task of the country."""
    from reporting.selectors.reports import waiting_review

    sql, params = waiting_review(org.director, {org.chiang_mai.pk}).query.sql_with_params()
    assert "task_owner_open" in _indexes_used(sql, params)
