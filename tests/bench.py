"""Benchmark of the directory search: server time through Django's test Client, and queries per search.

    make bench        (DJANGO_SETTINGS_MODULE=project.test_settings python -m tests.bench)

Builds a throw-away database (a temporary SQLite file; with DATABASE_URL set, a fresh test database next to
the configured one, created and dropped by Django's test runner, so real data is never touched), loads the
reference data, creates 2,000 officers over the 76 provinces with roles and district assignments, then times
several searches. Exits non-zero when the query count of a search grows with its number of results; a p95
over the target is reported as a warning (timings on a shared machine are noisy).
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ITERATIONS = int(os.environ.get("BENCH_ITERATIONS", "200"))
OFFICERS = 2000
TARGET_P95_MS = 30.0

_tmp = tempfile.TemporaryDirectory(prefix="dla-bench-")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(_tmp.name) / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.test_settings")

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

FIRST_NAMES = [
    "สมชาย", "สมศักดิ์", "สมหญิง", "อรุณี", "วีระพงษ์", "ประเสริฐ", "กมลวรรณ", "สุภาพร", "พิมพ์ชนก", "ธนากร",
    "นงลักษณ์", "รัตนาภรณ์", "ณัฐพล", "ศิริพร", "กิตติศักดิ์", "วราภรณ์", "ชัยวัฒน์", "จันทร์เพ็ญ", "สุรเชษฐ์", "อนุชา",
]  # fmt: skip
LAST_NAMES = [
    "ใจดี", "ศรีสุข", "แก้วมณี", "สายทอง", "ทองดี", "เรืองศรี", "พรหมมา", "จันทร์แก้ว", "ชัยมงคล", "อินทร์แปลง",
    "บุญมา", "วงศ์ใหญ่", "ศรีสวัสดิ์", "มั่นคง", "รักษาดี", "ประเสริฐสุข", "คำแสน", "สุขเกษม", "ทองคำ", "พึ่งบุญ",
]  # fmt: skip


def build_organisation() -> None:
    """2,000 officers: a director, a head and an SSO admin per province, the rest district officers."""
    from organisation.models import District, DistrictAssignment, Officer, Province, Role, RoleAssignment
    from organisation.models.people import CivilServiceLevel
    from organisation.services.geography import geography_load

    geography_load()
    provinces = list(Province.objects.outside_bangkok().order_by("code"))
    districts_by_province: dict[int, list[District]] = {p.pk: [] for p in provinces}
    for district in District.objects.outside_bangkok().order_by("code"):
        districts_by_province[district.province_id].append(district)

    User = get_user_model()
    officers = [
        Officer(
            prefix="นาย" if n % 2 else "นาง",
            first_name_th=FIRST_NAMES[n % len(FIRST_NAMES)],
            last_name_th=f"{LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]}{n // 400 or ''}",
            first_name_en=f"Officer{n}",
            last_name_en="Bench",
            position="ท้องถิ่นอำเภอ",
            level=CivilServiceLevel.PROFESSIONAL,
            province=provinces[n % len(provinces)],
            phone=f"0{n:08d}",
            email=f"officer{n}@bench.dla.go.th",
        )
        for n in range(OFFICERS)
    ]
    Officer.objects.bulk_create(officers, batch_size=500)
    officers = list(Officer.objects.order_by("pk"))
    by_province: dict[int, list[Officer]] = {}
    for officer in officers:
        by_province.setdefault(officer.province_id, []).append(officer)  # type: ignore[arg-type]

    start = datetime.date(2024, 10, 1)
    roles: list[RoleAssignment] = []
    assignments: list[DistrictAssignment] = []
    for province in provinces:
        staff = by_province[province.pk]
        roles += [
            RoleAssignment(officer=staff[0], role=Role.GROUP_DIRECTOR, province=province, start_date=start),
            RoleAssignment(officer=staff[1], role=Role.PROVINCIAL_HEAD, province=province, start_date=start),
            RoleAssignment(officer=staff[2], role=Role.SSO_ADMIN, province=province, start_date=start),
        ]
        district_officers = staff[3:]
        for officer in district_officers:
            roles.append(
                RoleAssignment(
                    officer=officer, role=Role.DISTRICT_OFFICER, province=province, start_date=start
                )
            )
        # Every district but one in ten gets an officer; some officers hold two districts.
        for i, district in enumerate(districts_by_province[province.pk]):
            if i % 10 == 9 or not district_officers:
                continue
            assignments.append(
                DistrictAssignment(
                    district=district,
                    officer=district_officers[(i * 7) % len(district_officers)],
                    start_date=start,
                )
            )
    RoleAssignment.objects.bulk_create(roles, batch_size=1000)
    DistrictAssignment.objects.bulk_create(assignments, batch_size=1000)
    User.objects.create_user(username="bench", password="bench-only-password")
    print(
        f"organisation: {len(provinces)} provinces, {Officer.objects.count()} officers, "
        f"{RoleAssignment.objects.count()} roles, {DistrictAssignment.objects.count()} district assignments"
    )


def measure(client: Client, params: dict[str, str]) -> tuple[list[float], int, int]:
    """Server time of each request (ms), queries per request, rows shown."""
    url = reverse("directory")
    for _ in range(5):
        client.get(url, params)  # warm up
    reset_queries()  # each request resets the log: start from an empty one
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    queries = len(captured)  # read now: the next request empties the connection's log
    rows = response.content.decode().count('class="officer-row"')
    times = []
    for _ in range(ITERATIONS):
        t0 = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    return times, queries, rows


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[94]


def main() -> int:
    from django.test.utils import get_runner

    from organisation.models import Province

    # No setup_test_environment(): its instrumented template rendering would add to the server time.
    runner = get_runner(django.conf.settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()  # a fresh test database, whatever DATABASE_URL names
    try:
        t0 = time.perf_counter()
        build_organisation()
        # As a production web worker does after loading (gunicorn.conf.py post_worker_init): what is loaded
        # stays out of the collector's reach, so that no search pays a full collection of the whole service.
        gc.collect()
        gc.freeze()
        print(
            f"set-up: {time.perf_counter() - t0:.1f} s on {connection.vendor}; {ITERATIONS} iterations a search"
        )
        client = Client()
        # force_login: django-axes wants a request for a password sign-in, and the bench times pages, not sign-in.
        client.force_login(get_user_model().objects.get(username="bench"))
        korat = Province.objects.get(code="30")
        searches = [
            ("common first name", {"q": "สมชาย"}),
            ("first + last name", {"q": "สมชาย ใจดี"}),
            ("district name", {"q": "อำเภอแม่ริม"}),
            ("province name", {"q": "เชียงใหม่"}),
            ("province filter only", {"province": korat.code}),
            ("name + province filter", {"q": "อรุณี", "province": korat.code}),
            ("no match", {"q": "ไม่มีชื่อนี้ในระบบ"}),
        ]
        print(f"\n{'search':<26}{'rows':>6}{'queries':>9}{'median ms':>11}{'p95 ms':>9}")
        failures: list[str] = []  # make the run fail
        warnings: list[str] = []  # timing on a shared machine: reported, not failed
        for label, params in searches:
            times, queries, rows = measure(client, params)
            median, high = statistics.median(times), p95(times)
            flag = "" if high < TARGET_P95_MS else "  over target"
            print(f"{label:<26}{rows:>6}{queries:>9}{median:>11.1f}{high:>9.1f}{flag}")
            if flag:
                warnings.append(f"{label}: p95 {high:.1f} ms over {TARGET_P95_MS:.0f} ms")

        # Same search shape, 5 rows and a full page: the query count must not change.
        print("\nquery count against result size (a name in one province, then a name everywhere):")
        counts = {}
        for label, params in [
            ("few rows", {"q": "สมชาย", "province": "11"}),
            ("full page", {"q": "Officer"}),
        ]:
            times, queries, rows = measure(client, params)
            counts[label] = (queries, rows)
            print(
                f"  {label:<8} rows={rows:<3} queries={queries:<3} median={statistics.median(times):.1f} ms "
                f"p95={p95(times):.1f} ms"
            )
        (few_q, few_rows), (many_q, many_rows) = counts["few rows"], counts["full page"]
        if few_rows >= many_rows:
            failures.append(f"the two result sizes did not differ ({few_rows} and {many_rows} rows)")
        if many_q != few_q:
            failures.append(
                f"query count grows with results: {few_q} for {few_rows} rows, {many_q} for {many_rows}"
            )
        print(
            f"\ntarget p95 < {TARGET_P95_MS:.0f} ms; query count constant: {'yes' if many_q == few_q else 'NO'}"
            f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: other work inflates p95)"
        )
        for warning in warnings:
            print(f"WARN: {warning}")
        for failure in failures:
            print(f"FAIL: {failure}")
        return 1 if failures else 0
    finally:
        runner.teardown_databases(old_config)
        _tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
