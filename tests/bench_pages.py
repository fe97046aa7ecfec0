"""Benchmark of the pages' rendering (issue 12, goal 4): per page, the server time through Django's test Client,
how much of it is template rendering, the queries, and where the template time goes.

    DJANGO_SETTINGS_MODULE=project.test_settings DATABASE_URL=postgres://... REDIS_URL=redis://... \\
        .venv/bin/python -m tests.bench_pages            (make bench runs it)

It creates its own database (bench_pages_<pid>) and drops it at the end, and builds the data with the other
benchmarks' builders: the request benchmark's organisation and requests (tests/bench_requests.py, BENCH_REQUESTS,
default 20,000 here), the reporting benchmark's history of cycles (tests/bench_reporting.py, BENCH_PAGE_CYCLES,
default 12), central staff, a provincial head and 300 notifications. Then, signed in as the right person, each
page is rendered BENCH_ITERATIONS times (default 40); per page, medians of: the server time, this process's
processor time (PostgreSQL's not counted: steadier on a shared machine), the processor time inside the outermost
Template.render, split into "data" (querysets the template evaluated and counts it ran: SQL and model instances)
and "render" (the rest: rendering proper); the queries of one request and how many of them ran while a template
rendered; and, from a slower instrumented pass, the template nodes (template:line and tag) with most time of
their own. BENCH_PAGES=word measures only the pages whose label has that word; BENCH_HTML_DIR=dir writes each
page's HTML there (to compare two versions of the code); BENCH_KEEP=1 keeps the database and
BENCH_PAGES_DB=name measures a kept one again without building it.
BENCH_PROFILE=1 also prints a cProfile of each page (top functions by own time).

The figures are printed, not judged (timings on a shared machine are noisy), except that a page whose query
count grows with its rows fails the run: the officer's list and the director's queue are also rendered for a
person with five rows.
"""

from __future__ import annotations

import contextlib
import cProfile
import datetime
import io
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DATABASE_URL = os.environ.get("DATABASE_URL", "")
DB_NAME = os.environ.get("BENCH_PAGES_DB") or f"bench_pages_{os.getpid()}"
ITERATIONS = int(os.environ.get("BENCH_ITERATIONS", "40"))
CYCLES = int(os.environ.get("BENCH_PAGE_CYCLES", "12"))
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
# A database built by an earlier run, kept (BENCH_KEEP=1 keeps it), to measure again without building it.
REUSE = os.environ.get("BENCH_PAGES_DB", "")
KEEP = os.environ.get("BENCH_KEEP") == "1"
ONLY = os.environ.get("BENCH_PAGES", "")
HTML_DIR = os.environ.get(
    "BENCH_HTML_DIR", ""
)  # each page's HTML written there, to compare two versions  # a word of the pages' labels to measure only those


def _with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


class TemplateClock:
    """Time inside Template.render (the outermost call of a request), each template's own time (its includes
    and parents not counted) and the queries run while a template renders."""

    def __init__(self) -> None:
        self.outer = 0.0
        self.nodes: dict[str, float] = defaultdict(float)
        self.queries = 0
        self.sql = 0.0
        self.orm = 0.0
        self._in_orm = False
        self._stack: list[list[Any]] = []  # [name, started, time of the children]

    def reset(self) -> None:
        self.outer, self.queries, self.sql, self.orm = 0.0, 0, 0.0, 0.0

    def install(self) -> None:
        from django.db import connection
        from django.template.base import Template

        clock = self
        original = Template._render

        def timed(template: Any, context: Any) -> Any:
            clock._stack.append([template.name, time.thread_time(), 0.0])
            try:
                return original(template, context)
            finally:
                _name, started, _children = clock._stack.pop()
                if not clock._stack:
                    clock.outer += time.thread_time() - started

        Template._render = timed  # type: ignore[method-assign]

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            if not clock._stack:
                return execute(sql, params, many, context)
            started = time.thread_time()
            try:
                return execute(sql, params, many, context)
            finally:
                clock.queries += 1
                if not clock._in_orm:  # a count() or aggregate() run from a template
                    clock.sql += time.thread_time() - started

        connection.execute_wrappers.append(count)

        from django.db.models.query import QuerySet

        fetch_all = QuerySet._fetch_all

        def fetch(queryset: Any) -> None:
            # Rows read (queries, model instances, prefetches) by a queryset that a template evaluates.
            if not clock._stack or clock._in_orm:
                return fetch_all(queryset)
            clock._in_orm = True
            started = time.thread_time()
            try:
                return fetch_all(queryset)
            finally:
                clock._in_orm = False
                clock.orm += time.thread_time() - started

        QuerySet._fetch_all = fetch  # type: ignore[method-assign, assignment]

    def install_nodes(self) -> None:
        """Each template node's own time (its children not counted), by template and line: where a page's
        template time goes. Slows rendering down, so it runs in a pass of its own."""
        from django.template.base import Node

        clock = self
        original = Node.render_annotated
        stack: list[float] = []  # time of the children of each node being rendered

        def timed(node: Any, context: Any) -> Any:
            stack.append(0.0)
            started = time.thread_time()
            try:
                return original(node, context)
            finally:
                spent = time.thread_time() - started
                children = stack.pop()
                if stack:
                    stack[-1] += spent
                origin = getattr(node, "origin", None)
                name = getattr(origin, "template_name", None) or "?"
                token = getattr(node, "token", None)
                line = getattr(token, "lineno", "?")
                kind = type(node).__name__.removesuffix("Node")
                clock.nodes[f"{str(name).split('/')[-1]}:{line} {kind}"] += spent - children

        clock.nodes = defaultdict(float)
        Node.render_annotated = timed  # type: ignore[method-assign, assignment]
        self._node_original = original

    def uninstall_nodes(self) -> None:
        from django.template.base import Node

        Node.render_annotated = self._node_original  # type: ignore[method-assign]


def build(now: datetime.datetime) -> dict[str, Any]:
    """The request benchmark's world, five years (BENCH_PAGE_CYCLES months) of reporting, central staff, a
    provincial head, a unit member, and notifications for the director."""
    os.environ.setdefault("BENCH_REQUESTS", "20000")
    from django.contrib.auth import get_user_model

    from notifications.models import Kind, Notification
    from organisation.models import Officer, Province, Role, RoleAssignment, Unit
    from organisation.models.people import CivilServiceLevel
    from tests import bench_reporting, bench_requests

    world = bench_requests.build(now)
    User = get_user_model()
    centre = Unit.objects.get(kind=Unit.Kind.COORDINATION_CENTRE)
    cm: Province = world["province"]
    since = datetime.date(2024, 10, 1)
    for username, role, unit, province in [
        ("central", Role.CENTRAL_STAFF, centre, None),
        ("head50", Role.PROVINCIAL_HEAD, None, cm),
    ]:
        user = User.objects.create_user(username=username, password="!")
        officer = Officer.objects.create(
            user=user,
            prefix="นาง",
            first_name_th="สุภาพร",
            last_name_th="ศรีสุข",
            position="ท้องถิ่นจังหวัด",
            level=CivilServiceLevel.SENIOR_PROFESSIONAL,
            province=province,
            unit=unit,
        )
        RoleAssignment.objects.create(
            officer=officer, role=role, province=province, unit=unit, start_date=since
        )
        world[username] = user
    world["desk"] = User.objects.get(username="desk")
    history = bench_reporting.build_history(CYCLES, now)
    world["cycle"] = history["latest"]
    world["history"] = history
    director = world["director"]
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=director,
                kind=Kind.TASK_ASSIGNED if n % 3 else Kind.DUE_SOON,
                context={
                    "subject": f"ปส.ชม. {n}/2569 ขอหารือเรื่องที่ {n}",
                    "url": f"/requests/{n + 1}/",
                    "due_at": (now + datetime.timedelta(days=n % 9)).isoformat(),
                },
                created_at=now - datetime.timedelta(hours=n),
                read_at=None if n % 4 else now,
            )
            for n in range(300)
        ]
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return world


def world_of_database() -> dict[str, Any]:
    """The people and rows build() returned, read back from a database it built."""
    from django.contrib.auth import get_user_model
    from viewflow.workflow.models import Task

    from organisation.models import Province
    from reporting.models import DistrictReport, ReportingCycle

    users = {u.username: u for u in get_user_model().objects.filter(username__in=USERNAMES.values())}
    world: dict[str, Any] = {key: users[name] for key, name in USERNAMES.items()}
    world["province"] = Province.objects.get(code="50")
    world["tasks"] = Task.objects.count()
    world["cycle"] = ReportingCycle.objects.order_by("-opens_on").first()
    world["history"] = {"reports": DistrictReport.objects.count()}
    return world


USERNAMES = {
    "officer": "off50-1",
    "few": "few",
    "director": "dir50",
    "small_director": "smallholder",
    "desk": "desk",
    "central": "central",
    "head50": "head50",
}


def pages(world: dict[str, Any]) -> list[tuple[str, Any, str, str]]:
    """(label, user, url, a marker counted as rows)."""
    from django.urls import reverse

    cycle, cm = world["cycle"], world["province"]
    district = cm.districts.order_by("code").first()
    row = 'class="req-number-cell"'
    return [
        ("home, district officer", world["officer"], "/", "<tr"),
        ("home, group director", world["director"], "/", "<tr"),
        ("home, provincial head", world["head50"], "/", "<tr"),
        ("home, central staff", world["central"], "/", "<tr"),
        ("home, unit member", world["desk"], "/", "<tr"),
        ("directory search", world["officer"], reverse("directory") + "?q=สมชาย", 'class="officer-row"'),
        ("officer's request list", world["officer"], reverse("requests:mine"), row),
        ("officer's list (5 rows)", world["few"], reverse("requests:mine"), row),
        ("director's queue", world["director"], reverse("requests:queue"), row),
        ("director's queue (5 rows)", world["small_director"], reverse("requests:queue"), row),
        ("all requests, central staff", world["central"], reverse("requests:all"), row),
        ("national reporting page", world["central"], reverse("reporting:national", args=[cycle.pk]), "<tr"),
        (
            "province reporting page",
            world["director"],
            reverse("reporting:province", args=[cycle.pk, cm.pk]),
            "<tr",
        ),
        (
            "district reporting page",
            world["director"],
            reverse("reporting:district", args=[district.pk]),
            "<tr",
        ),
        ("notifications", world["director"], reverse("notifications:inbox"), "<tr"),
    ]


def measure(client: Any, label: str, url: str, marker: str, clock: TemplateClock) -> dict[str, Any]:
    from django.db import connection

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    clock.reset()
    with connection.execute_wrapper(count):
        response = client.get(url)
    in_template = clock.queries
    rows = response.content.decode().count(marker)
    totals, cpus, templates, sqls, orms = [], [], [], [], []
    for _ in range(ITERATIONS):
        clock.reset()
        started, cpu = time.perf_counter(), time.thread_time()
        response = client.get(url)
        totals.append((time.perf_counter() - started) * 1000)
        cpus.append((time.thread_time() - cpu) * 1000)
        templates.append(clock.outer * 1000)
        sqls.append(clock.sql * 1000)
        orms.append(clock.orm * 1000)
    clock.install_nodes()
    for _ in range(max(ITERATIONS // 4, 3)):
        client.get(url)
    clock.uninstall_nodes()
    runs = max(ITERATIONS // 4, 3)
    if HTML_DIR:
        import re

        html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1-", response.content.decode())
        with open(os.path.join(HTML_DIR, re.sub(r"\W+", "_", label) + ".html"), "w") as f:
            f.write(html)
    hot = [
        (k, v * 1000 / runs)
        for k, v in sorted(clock.nodes.items(), key=lambda kv: -kv[1])[
            : int(os.environ.get("BENCH_HOT", "4"))
        ]
    ]
    profile = ""
    if PROFILE:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(ITERATIONS):
            client.get(url)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(
            os.environ.get("BENCH_PROFILE_SORT", "tottime")
        ).print_stats(int(os.environ.get("BENCH_PROFILE_TOP", "15")))
        profile = out.getvalue()
    return {
        "total": statistics.median(totals),
        "cpu": statistics.median(cpus),
        "template": statistics.median(templates),
        "template_data": statistics.median([a + b for a, b in zip(sqls, orms, strict=True)]),
        "rendering": statistics.median([t - a - b for t, a, b in zip(templates, sqls, orms, strict=True)]),
        "queries": queries,
        "template_queries": in_template,
        "rows": rows,
        "hot": hot,
        "profile": profile,
    }


def main() -> int:
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        print(
            "bench_pages skipped: it measures PostgreSQL, the production database; set DATABASE_URL=postgres://..."
        )
        return 0
    global REUSE
    if REUSE and not _exists(DB_NAME):
        REUSE, KEEP_NOW = "", True
    else:
        KEEP_NOW = KEEP
    if not REUSE:
        _admin(f'CREATE DATABASE "{DB_NAME}"')
    try:
        os.environ["DATABASE_URL"] = _with_db(DATABASE_URL, DB_NAME)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.test_settings")
        import django

        django.setup()
        import logging

        logging.disable(logging.INFO)  # the request log and django-axes' sign-in lines
        from django.core.management import call_command
        from django.test import Client
        from django.utils import timezone

        started = time.perf_counter()
        if REUSE:
            os.environ.setdefault("BENCH_REQUESTS", "20000")
            world = world_of_database()
            from tests import bench_requests  # noqa: F401  (the URLs it sets, as when building)
        else:
            call_command("migrate", verbosity=0)
            world = build(timezone.now())
        # bench_requests points ROOT_URLCONF at itself (viewflow's back office beside the project's URLs).
        print(
            f"bench_pages on {DB_NAME}: {os.environ['BENCH_REQUESTS']} requests, {world['tasks']:,} tasks, "
            f"{CYCLES} cycles ({world['history']['reports']:,} reports); built in "
            f"{time.perf_counter() - started:.0f} s; {ITERATIONS} iterations a page"
        )
        clock = TemplateClock()
        clock.install()
        print(
            f"\n{'page':<28}{'rows':>5}{'queries':>8}{'in tpl':>7}{'median ms':>10}{'cpu ms':>7}{'tpl ms':>8}"
            f"{'tpl %':>6}{'data':>6}{'render':>7}{'rnd %':>6}  template nodes with most own time (ms)"
        )
        results: dict[str, dict[str, Any]] = {}
        for label, user, url, marker in pages(world):
            if ONLY and ONLY not in label:
                continue
            client = Client()
            client.force_login(user, backend="accounts.backends.LocalBackend")
            r = measure(client, label, url, marker, clock)
            results[label] = r
            hot = ", ".join(f"{name} {ms:.1f}" for name, ms in r["hot"])
            print(
                f"{label:<28}{r['rows']:>5}{r['queries']:>8}{r['template_queries']:>7}{r['total']:>10.1f}"
                f"{r['cpu']:>7.1f}{r['template']:>8.1f}{100 * r['template'] / r['cpu']:>6.0f}{r['template_data']:>6.1f}"
                f"{r['rendering']:>7.1f}{100 * r['rendering'] / r['cpu']:>6.0f}  {hot}"
            )
            if r["profile"]:
                print(r["profile"])
        failures = []
        for many, few in (
            ("officer's request list", "officer's list (5 rows)"),
            ("director's queue", "director's queue (5 rows)"),
        ):
            if many in results and few in results and results[many]["queries"] > results[few]["queries"]:
                failures.append(
                    f"query count grows with rows: {few} {results[few]['queries']}, {many} {results[many]['queries']}"
                )
        print(
            "\n(median ms: server time; cpu ms: this process's processor time (PostgreSQL's not counted; steadier on a "
            "shared machine); tpl ms: processor time inside the outermost Template.render, as a share of cpu ms; data: the part of it spent reading rows for the "
            "template (querysets it evaluated, counts it ran: SQL and model instances); render: the rest, rendering "
            "proper; in tpl: queries run while a template rendered; the node hot spots are own times of a slower, "
            f"instrumented pass; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
        for failure in failures:
            print(f"FAIL: {failure}")
        return 1 if failures else 0
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if not (REUSE or KEEP_NOW):
            _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        elif KEEP_NOW:
            print(f"kept {DB_NAME}: BENCH_PAGES_DB={DB_NAME} measures it again")


if __name__ == "__main__":
    sys.exit(main())
