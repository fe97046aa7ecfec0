"""Benchmark of the monitoring pages and exports of the reporting cycle (issue 5) over five years of data.

    DJANGO_SETTINGS_MODULE=project.test_settings DATABASE_URL=postgres://... \\
        .venv/bin/python -m tests.bench_reporting          (make bench runs it)

Sixty monthly cycles over the 878 districts outside Bangkok (about 53,000 district reports, a value for
every frozen indicator of every report that was started: about 1.1 million ReportValue rows), written
with COPY rather than through the viewflow services (the history needs no workflow rows to be read). The
latest cycle is open, with districts in every colour; the older ones are closed, mostly complete, a few
late. The organisation: a group director and a provincial head in each province, a district officer
for nearly every district (one in twelve holds two), a few districts with nobody.

Then, through Django's test client (server time, signed in with force_login): the national page of the
latest cycle as central staff, a province page (the province with most districts) as its group director,
median and p95 over BENCH_ITERATIONS runs (default 50) and the query count of one; and the XLSX export of
the whole latest cycle (one row per district, every indicator). The notifications page (same layout, session
and menu, little else) is timed beside them as the floor of the machine: on a busy machine every figure
rises together. Targets: p95 under 100 ms (national) and 50 ms (province); the export under 3 s. A missed
target is a failure (exit 1).

It creates its own database (bench_reporting_<pid>) and drops it at the end. Without PostgreSQL it says so
and exits 0. BENCH_CYCLES changes the number of cycles (default 60).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import random
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

CYCLES = int(os.environ.get("BENCH_CYCLES", "60"))
ITERATIONS = int(os.environ.get("BENCH_ITERATIONS", "50"))
TARGET_NATIONAL_P95_MS = 100.0
TARGET_PROVINCE_P95_MS = 50.0
TARGET_EXPORT_S = 3.0
DATABASE_URL = os.environ.get("DATABASE_URL", "")
DB_NAME = f"bench_reporting_{os.getpid()}"

FIRST_NAMES = [
    "สมชาย", "สุภาพร", "ประเสริฐ", "กมลวรรณ", "วีระพงษ์", "อรุณี", "ธนากร", "พิมพ์ชนก", "สุรเชษฐ์", "รัตนาภรณ์",
    "ณัฐพล", "ศิริพร", "อนุชา", "จันทร์เพ็ญ", "กิตติศักดิ์", "วราภรณ์", "ชัยวัฒน์", "นงลักษณ์", "สมศักดิ์", "ปิยะนุช",
]  # fmt: skip
LAST_NAMES = [
    "ศรีสุข", "วงศ์ใหญ่", "แก้วมณี", "ทองดี", "บุญมา", "จันทร์แก้ว", "สายทอง", "พรหมมา", "อินทร์แปลง", "ชัยมงคล",
    "เรืองศรี", "มั่นคง", "รักษาดี", "คำแสน", "สุขเกษม", "ทองคำ", "พึ่งบุญ", "ศรีสวัสดิ์",
]  # fmt: skip
MONTHS_TH = [
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
]  # fmt: skip


def _with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


# --- fast inserts ------------------------------------------------------------------------------------


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write rows straight into a table: COPY on PostgreSQL, executemany elsewhere (a scratch SQLite)."""
    from django.db import connection

    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
            batch: list[Sequence[Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) == 5000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _next_id(model: Any) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _reset_sequences(models: list[Any]) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


# --- the organisation --------------------------------------------------------------------------------


def build_organisation(today: datetime.date) -> dict[str, Any]:
    """A group director and a provincial head in each province, central staff, and a district officer for
    nearly every district: one in twelve holds two neighbouring districts, the last district of one
    province in three has nobody."""
    from django.contrib.auth import get_user_model

    from organisation.models import (
        District,
        DistrictAssignment,
        Officer,
        Province,
        Role,
        RoleAssignment,
        Unit,
    )
    from organisation.models.people import CivilServiceLevel

    User = get_user_model()
    since = today - datetime.timedelta(days=6 * 365)
    provinces = list(Province.objects.outside_bangkok().order_by("code"))
    districts: dict[int, list[District]] = {p.pk: [] for p in provinces}
    for d in District.objects.outside_bangkok().order_by("code"):
        districts[d.province_id].append(d)
    people: list[tuple[str, Province | None, str, list[District]]] = [
        ("central", None, Role.CENTRAL_STAFF, [])
    ]
    serial = 0
    for n, p in enumerate(provinces):
        people.append((f"dir{p.code}", p, Role.GROUP_DIRECTOR, []))
        people.append((f"head{p.code}", p, Role.PROVINCIAL_HEAD, []))
        todo = districts[p.pk][:-1] if n % 3 == 0 else list(districts[p.pk])
        number = 0
        while todo:
            serial += 1
            take = 2 if serial % 12 == 0 and len(todo) >= 2 else 1
            people.append((f"off{p.code}-{number}", p, Role.DISTRICT_OFFICER, todo[:take]))
            todo = todo[take:]
            number += 1
    User.objects.bulk_create(
        [User(username=u, password="!", email=f"{u}@bench.dla.go.th") for u, *_ in people], batch_size=2000
    )
    users = {u.username: u for u in User.objects.filter(email__endswith="@bench.dla.go.th")}
    centre = Unit.objects.filter(kind=Unit.Kind.COORDINATION_CENTRE).first()
    Officer.objects.bulk_create(
        [
            Officer(
                user=users[u],
                prefix="นาย" if n % 2 else "นาง",
                first_name_th=FIRST_NAMES[n % len(FIRST_NAMES)],
                last_name_th=LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)],
                position="ท้องถิ่นอำเภอ" if role == Role.DISTRICT_OFFICER else "ผู้อำนวยการกลุ่มงาน",
                level=CivilServiceLevel.PROFESSIONAL,
                province=p,
                unit=centre if role == Role.CENTRAL_STAFF else None,
                email=users[u].email,
            )
            for n, (u, p, role, _) in enumerate(people)
        ],
        batch_size=2000,
    )
    officers = {
        o.user.username: o for o in Officer.objects.select_related("user").filter(user__in=users.values())
    }
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                officer=officers[u],
                role=role,
                province=p,
                unit=centre if role == Role.CENTRAL_STAFF else None,
                start_date=since,
            )
            for u, p, role, _ in people
        ],
        batch_size=2000,
    )
    DistrictAssignment.objects.bulk_create(
        [
            DistrictAssignment(district=d, officer=officers[u], start_date=since)
            for u, _p, _r, held in people
            for d in held
        ],
        batch_size=2000,
    )
    biggest = max(provinces, key=lambda p: len(districts[p.pk]))
    return {
        "central": users["central"],
        "province": biggest,
        "director": users[f"dir{biggest.code}"],
        "districts": sum(len(v) for v in districts.values()),
        "officers": sum(1 for *_, role, _h in people if role == Role.DISTRICT_OFFICER),
    }


# --- five years of cycles ----------------------------------------------------------------------------


def _month_back(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _month_end(first: datetime.date) -> datetime.date:
    return _month_back(first, -1) - datetime.timedelta(days=1)


# Where the reports of a closed cycle end up (out of 100), and of the open one.
CLOSED_MIX = [("APPROVED", 90), ("SUBMITTED", 4), ("RETURNED", 2), ("DRAFT", 2), ("NOT_STARTED", 2)]
OPEN_MIX = [("APPROVED", 38), ("SUBMITTED", 17), ("RETURNED", 6), ("DRAFT", 14), ("NOT_STARTED", 25)]


def _status(rng: random.Random, mix: list[tuple[str, int]]) -> str:
    pick = rng.randrange(100)
    for status, share in mix:
        if pick < share:
            return status
        pick -= share
    return mix[-1][0]


def build_history(cycles: int, now: datetime.datetime, *, seed: int = 2569) -> dict[str, Any]:
    """`cycles` monthly cycles up to the current month: the last open (due in ten days), the others closed.
    Each freezes the indicators of its day (cycles older than two years asked one indicator less, under
    an older name). Written with COPY: reports, their values, the letter counts."""
    from django.utils import timezone

    from organisation.models import District, DistrictAssignment, Officer
    from reporting.models import CycleIndicator, DistrictReport, Indicator, ReportingCycle, ReportValue
    from workdays.calendar import BANGKOK, fiscal_year

    rng = random.Random(seed)
    today = timezone.localdate(now)
    indicators = list(Indicator.objects.filter(is_active=True, area__is_active=True).select_related("area"))
    districts = list(District.objects.outside_bangkok().order_by("code").values_list("pk", "province_id"))
    responsible = {
        a.district_id: (a.officer_id, a.officer.user_id)
        for a in DistrictAssignment.objects.current(today).select_related("officer")
    }
    # The unassigned districts' reports are held by the group director (dir<code>).
    director_of = {
        p_id: user_id
        for p_id, user_id in Officer.objects.filter(user__username__startswith="dir").values_list(
            "province_id", "user_id"
        )
    }
    size = {pk: 1 + (pk * 7919) % 9 for pk, _p in districts}  # how busy each district is, 1..9
    report_id = _next_id(DistrictReport)
    value_id = _next_id(ReportValue)
    report_columns = [
        "id", "cycle_id", "district_id", "province_id", "officer_id", "unassigned", "assignee_id", "status",
        "complete", "late", "within_extension", "due_at", "extension_reason", "letters_received_office", "letters_sent_office",
        "letters_received_local", "letters_sent_local", "review_comments", "revision", "submitted_at",
        "approved_at", "updated_at",
    ]  # fmt: skip
    first_month = _month_back(today.replace(day=1), cycles - 1)
    made_reports = made_values = 0
    latest = None
    for n in range(cycles):
        month = _month_back(first_month, -n)
        is_latest = n == cycles - 1
        if is_latest:
            opens, closes = today - datetime.timedelta(days=10), today + datetime.timedelta(days=10)
        else:
            opens = _month_end(month) + datetime.timedelta(days=1)
            closes = opens + datetime.timedelta(days=19)
        due = datetime.datetime.combine(closes, datetime.time(16, 30), tzinfo=BANGKOK)
        cycle = ReportingCycle.objects.create(
            fiscal_year=fiscal_year(month),
            label=f"{MONTHS_TH[month.month - 1]} {month.year + 543}",
            period_start=month,
            period_end=_month_end(month),
            opens_on=opens,
            closes_on=closes,
            review_required=True,
            status=ReportingCycle.Status.OPEN if is_latest else ReportingCycle.Status.CLOSED,
            due_at=due,
            districts_total=len(districts),
            districts_spawned=len(districts),
            opened_at=datetime.datetime.combine(opens, datetime.time(8, 30), tzinfo=BANGKOK),
            closed_at=None if is_latest else due + datetime.timedelta(days=7),
        )
        old = n < cycles - 24
        asked = indicators[:-1] if old else indicators
        frozen = CycleIndicator.objects.bulk_create(
            CycleIndicator(
                cycle=cycle,
                indicator=i,
                area_code=i.area.code,
                area_name_th=i.area.name_th,
                area_name_en=i.area.name_en,
                area_order=i.area.order,
                code=i.code,
                name_th=f"{i.name_th} (เดิม)" if old and k == 0 else i.name_th,
                name_en=i.name_en,
                unit=i.unit,
                upper_bound=i.upper_bound,
                required=i.required,
                order=i.order,
            )
            for k, i in enumerate(asked)
        )
        scale = [(f.pk, 1 + ((f.indicator_id or f.pk) * 31) % 12) for f in frozen]  # steady across cycles
        reports: list[tuple[Any, ...]] = []
        values: list[tuple[int, int, int, int]] = []
        for district_id, province_id in districts:
            officer_id, user_id = responsible.get(district_id, (None, None))
            status = _status(rng, OPEN_MIX if is_latest else CLOSED_MIX)
            started = status != "NOT_STARTED"
            submitted = status in ("SUBMITTED", "APPROVED")
            if is_latest:  # open, not yet due: nothing late, everything in the past
                late = False
                sent = now - datetime.timedelta(hours=rng.randint(1, 220))
            else:
                late = submitted and rng.random() < 0.07
                sent = due + datetime.timedelta(hours=rng.randint(2, 60))
                if not late:
                    sent = due - datetime.timedelta(hours=rng.randint(4, 400))
            busy = size[district_id]
            letters = [
                rng.randint(low, high) * busy for low, high in ((30, 120), (20, 90), (15, 80), (10, 60))
            ]
            reports.append(
                (
                    report_id, cycle.pk, district_id, province_id, officer_id, officer_id is None,
                    user_id or director_of.get(province_id), status, status == "APPROVED", late, False, due, "",
                    *(letters if started else [None] * 4),
                    "{}", 3 if started else 0,
                    sent if submitted else None,
                    min(sent + datetime.timedelta(days=1), now) if status == "APPROVED" else None,
                    sent if started else None,
                )
            )  # fmt: skip
            if started:
                for indicator_id, weight in scale:
                    # about weight x busy, give or take a fifth
                    values.append(
                        (value_id, report_id, indicator_id, weight * busy * rng.randint(8, 12) // 10, False)
                    )
                    value_id += 1
            report_id += 1
        made_reports += insert_rows("reporting_districtreport", report_columns, reports)
        made_values += insert_rows(
            "reporting_reportvalue", ["id", "report_id", "indicator_id", "value", "confirmed"], values
        )
        latest = cycle
    _reset_sequences([DistrictReport, ReportValue])
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    assert latest is not None
    return {"latest": latest, "reports": made_reports, "values": made_values}


# --- measuring ---------------------------------------------------------------------------------------


def measure(client: Any, url: str, iterations: int) -> tuple[list[float], int, bytes]:
    """Server time of each request (ms) after a warm-up, and the queries of one request (counted by an
    execute wrapper: the query log is emptied when a request starts)."""
    from django.db import connection

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    times = []
    for _ in range(iterations):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times, queries, response.content


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[94] if len(times) > 1 else times[0]


def main() -> int:
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        print(
            "bench_reporting skipped: it measures PostgreSQL, the production database; set DATABASE_URL=postgres://..."
        )
        return 0
    _admin(f'CREATE DATABASE "{DB_NAME}"')
    try:
        os.environ["DATABASE_URL"] = _with_db(DATABASE_URL, DB_NAME)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.test_settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.urls import reverse
        from django.utils import timezone

        from organisation.services.geography import geography_load
        from reporting.services.cycles import defaults_ensure

        call_command("migrate", verbosity=0)
        geography_load()
        defaults_ensure()
        started = time.perf_counter()
        org = build_organisation(timezone.localdate())
        history = build_history(CYCLES, timezone.now())
        cycle = history["latest"]
        print(f"bench_reporting on {DB_NAME} (PostgreSQL {connection.pg_version // 10000})")
        print(
            f"  data: {CYCLES} cycles, {history['reports']:,} district reports, {history['values']:,} values; "
            f"{org['officers']} district officers for {org['districts']} districts "
            f"(built in {time.perf_counter() - started:.1f} s)"
        )

        def client_for(user: Any) -> Any:
            client = Client()
            client.force_login(user, backend="accounts.backends.LocalBackend")
            return client

        central, director = client_for(org["central"]), client_for(org["director"])
        pages = [
            (
                "national page",
                central,
                reverse("reporting:national", args=[cycle.pk]),
                TARGET_NATIONAL_P95_MS,
            ),
            (
                f"province page ({org['province'].name_th})",
                director,
                reverse("reporting:province", args=[cycle.pk, org["province"].pk]),
                TARGET_PROVINCE_P95_MS,
            ),
            # The floor on this machine: a small page with the same layout, session and menu.
            ("for comparison: notifications", director, reverse("notifications:inbox"), 0.0),
        ]
        failures: list[str] = []
        print(f"\n  {'page':<34}{'queries':>8}{'median ms':>11}{'p95 ms':>9}{'target':>9}")
        for label, client, url, target in pages:
            times, queries, _body = measure(client, url, ITERATIONS)
            median, high = statistics.median(times), p95(times)
            over = bool(target) and high >= target
            goal = f"{target:>9.0f}" if target else f"{'-':>9}"
            print(f"  {label:<34}{queries:>8}{median:>11.1f}{high:>9.1f}{goal}{'  OVER' if over else ''}")
            if over:
                failures.append(f"{label}: p95 {high:.1f} ms, target {target:.0f} ms")

        export_url = reverse("reporting:export", args=[cycle.pk, "reports", "xlsx"])
        seconds = []
        body = b""
        for _ in range(5):
            t0 = time.perf_counter()
            response = central.get(export_url)
            seconds.append(time.perf_counter() - t0)
            assert response.status_code == 200
            body = response.content
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(body), read_only=True).active
        lines = list(sheet.iter_rows(values_only=True)) if sheet is not None else []
        rows, columns = len(lines) - 2, max((len(line) for line in lines), default=0)  # title and header
        export = statistics.median(seconds)
        print(
            f"\n  XLSX export of the whole cycle: {rows} rows x {columns} columns, {len(body) / 1024:.0f} KiB; "
            f"median {export:.2f} s, max {max(seconds):.2f} s over {len(seconds)} (target < {TARGET_EXPORT_S:.0f} s)"
        )
        if export >= TARGET_EXPORT_S:
            failures.append(f"XLSX export: {export:.2f} s, target {TARGET_EXPORT_S:.0f} s")
        print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        for failure in failures:
            print(f"  FAIL: {failure}")
        return 1 if failures else 0
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
