"""Does a page's time grow with the data? (issue 12, goal 2: at most 1.3 times for five times the rows.)

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python -m tests.bench_growth   (make bench)

Two data sets of the load test (tests/bench_load.py), kept between runs: a fifth of the national one (20,000
requests, 12 months of reporting) and the national one (100,000 requests, 60 months), each with its tasks,
reports and values, notifications and deliveries in the same proportions; the organisation (878 districts, their
officers) is the same in both. Each page of the load test is then looked at BENCH_GROWTH_LOOKS times (default 30)
in one process per data set, through Django's test client, signed in as the load test's person: drawn in full
(nothing held: the held fragments, figures and directories are switched off, so every look reads and renders
everything, the coordination monitoring page counting the year's figures as well) and as the pages are served
(held). The two data sets are measured twice, in turns (small, national, small, national), and each page's
lower median of its two turns is kept, so that a moment of load on this shared machine does not pass for
growth.

Printed per page: the queries of one look, the median ms on each data set, and the ratio national/fifth, drawn in
full and held. A ratio over 1.3 is printed as a warning (timings on a shared machine are noisy; the planner's
use of indexes on every measured query is asserted by tests/project/test_query_plans.py). Without PostgreSQL it
says so and exits 0.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

SIZES = (
    (20_000, 12),
    (100_000, 60),
)  # (requests, monthly reporting cycles): a fifth, and the national data set
LOOKS = int(os.environ.get("BENCH_GROWTH_LOOKS", "30"))
ROUNDS = 2
TARGET_RATIO = 1.3
BEAT = "the country's monitoring figures, counted by beat"
WARM_UP = 3


def measure_here() -> dict[str, dict[str, float]]:
    """In the process of one data set (BENCH_LOAD_REQUESTS and BENCH_LOAD_CYCLES set): each page's queries and
    median ms, drawn in full and held."""
    from tests.bench_load import database_ready, pages

    database_ready()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    nothing_held = {"default": settings.CACHES["default"], "held": dummy, "template_fragments": dummy}
    found: dict[str, dict[str, float]] = {}
    for page in pages():
        client = Client()
        person = get_user_model().objects.get(username=page.person)
        client.force_login(person)

        def look(path: str = page.path, client: Client = client) -> float:
            started = time.perf_counter()
            response = client.get(path)
            took = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            return took

        figures: dict[str, float] = {}
        with override_settings(CACHES=nothing_held):
            for _ in range(WARM_UP):
                look()
            with CaptureQueriesContext(connection) as queries:
                look()
            figures["queries"] = len(queries.captured_queries)
            figures["full"] = statistics.median(look() for _ in range(LOOKS))
        cache.clear()  # the held pages start empty (and the sessions with them)
        client.force_login(person)
        for _ in range(WARM_UP):
            look()
        figures["held"] = statistics.median(look() for _ in range(LOOKS))
        found[page.label] = figures
    # The national monitoring page's count, which beat makes ahead of the looks (cases/tasks.py).
    from cases.selectors.national import national_figures_ahead

    counts = []
    for _ in range(3):
        started = time.perf_counter()
        national_figures_ahead()
        counts.append((time.perf_counter() - started) * 1000)
    found[BEAT] = {"queries": 0, "full": statistics.median(counts), "held": 0.0}
    return found


def _measure(requests: int, cycles: int) -> dict[str, dict[str, float]]:
    env = {**os.environ, "BENCH_LOAD_REQUESTS": str(requests), "BENCH_LOAD_CYCLES": str(cycles)}
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench_growth", "--here"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(
            f"measuring {requests:,} requests failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        )
    result: dict[str, dict[str, float]] = json.loads(lines[-1])
    return result


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench_growth skipped: it builds two data sets in PostgreSQL; set DATABASE_URL=postgres://...")
        return 0
    started = time.perf_counter()
    turns: dict[int, list[dict[str, dict[str, float]]]] = {requests: [] for requests, _ in SIZES}
    for _ in range(ROUNDS):
        for requests, cycles in SIZES:
            turns[requests].append(_measure(requests, cycles))
    (small, _c), (large, _c2) = SIZES
    print(
        f"bench_growth: {small:,} and {large:,} requests ({large // small} times the rows), {LOOKS} looks a page, "
        f"{ROUNDS} turns each, in {time.perf_counter() - started:.0f} s; median ms (the lower of the turns)"
    )
    print(
        f"\n{'page':<34}{'queries':>9}{'full':>8}{'full':>8}{'ratio':>7}{'held':>8}{'held':>8}{'ratio':>7}"
        f"\n{'':<34}{'':>9}{f'{small // 1000}k':>8}{f'{large // 1000}k':>8}{'':>7}"
        f"{f'{small // 1000}k':>8}{f'{large // 1000}k':>8}"
    )
    warnings: list[str] = []
    for label in [label for label in turns[small][0] if label != BEAT]:

        def best(requests: int, what: str, label: str = label) -> float:
            return min(turn[label][what] for turn in turns[requests])

        full = best(large, "full") / best(small, "full")
        held = best(large, "held") / best(small, "held")
        queries = f"{best(small, 'queries'):.0f}/{best(large, 'queries'):.0f}"
        print(
            f"{label:<34}{queries:>9}{best(small, 'full'):>8.1f}{best(large, 'full'):>8.1f}{full:>7.2f}"
            f"{best(small, 'held'):>8.1f}{best(large, 'held'):>8.1f}{held:>7.2f}"
        )
        for kind, ratio in (("drawn in full", full), ("held", held)):
            if ratio > TARGET_RATIO:
                warnings.append(f"{label}, {kind}: {ratio:.2f} times for {large // small} times the rows")
    beat = min(turn[BEAT]["full"] for turn in turns[small]), min(turn[BEAT]["full"] for turn in turns[large])
    print(
        "(queries: of one look drawn in full, on each data set; full: nothing held; held: as the pages are served; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)\n"
        f"{BEAT}: {beat[0]:.0f} ms and {beat[1]:.0f} ms ({beat[1] / beat[0]:.2f} times): beat counts it every "
        "4 minutes, so no look does; the monitoring page's 'full' column above counts it on every look"
    )
    for warning in warnings:
        print(f"WARN: {warning} (target: at most {TARGET_RATIO})")
    return 0


def _main_here() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.test_settings")
    print(json.dumps(measure_here()))
    return 0


if __name__ == "__main__":
    sys.exit(_main_here() if "--here" in sys.argv else main())
