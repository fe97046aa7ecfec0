"""Opening a reporting cycle through a real `celery -A project worker` (a private redis-server, the
PostgreSQL test database): central staff press "open now", a worker runs the spawn and the cycle opens
with its 878 reports; a worker killed (SIGKILL) half way through leaves the cycle opening, and the periodic
job run by another worker finishes it with exactly one report per district."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.utils import timezone
from viewflow.workflow.models import Task

from organisation.models import District, DistrictAssignment, Province, Role
from reporting.models import DistrictReport, ReportingCycle
from reporting.services import cycles
from reporting.tasks import open_due_cycles
from tests.factories import OfficerFactory, give_role
from tests.integration.processes import RedisServer, Worker, celery_broker
from workdays.calendar import fiscal_year

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DISTRICTS = 878


@pytest.fixture
def central(db: None) -> User:
    cycles.defaults_ensure()  # the flush of the previous transactional test emptied them
    chiang_mai = Province.objects.get(code="50")
    officer = OfficerFactory(user__username="t.worker_officer", province=chiang_mai)
    give_role(officer, Role.DISTRICT_OFFICER, province=chiang_mai)
    DistrictAssignment.objects.create(
        district=District.objects.filter(province=chiang_mai).order_by("code").first(),
        officer=officer,
        start_date=datetime.date(2025, 10, 1),
    )
    director = OfficerFactory(user__username="t.worker_director", province=chiang_mai)
    give_role(director, Role.GROUP_DIRECTOR, province=chiang_mai)
    return User.objects.create_superuser(username="t.worker_central", password="x" * 12)


@pytest.fixture
def cycle(central: User) -> ReportingCycle:
    today = timezone.localdate()
    return cycles.cycle_create(
        data=cycles.CycleInput(
            fiscal_year=fiscal_year(today),
            label="รอบทดสอบ worker",
            period_start=today - datetime.timedelta(days=90),
            period_end=today - datetime.timedelta(days=1),
            opens_on=today + datetime.timedelta(days=7),
            closes_on=today + datetime.timedelta(days=21),
        ),
        by=central,
    )


def wait_for(condition: Callable[[], bool], *, timeout: float, worker: Worker, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited with {worker.process.returncode}:\n{worker.output()}")
        time.sleep(0.005)
    pytest.fail(f"{what} not within {timeout} s:\n{worker.output()}")


def state(cycle: ReportingCycle) -> tuple[str, int, int]:
    cycle.refresh_from_db()
    return cycle.status, cycle.districts_spawned, cycle.reports.count()


def assert_opened_once(cycle: ReportingCycle) -> None:
    assert state(cycle) == (ReportingCycle.Status.OPEN, DISTRICTS, DISTRICTS)
    assert cycle.reports.values("district").distinct().count() == DISTRICTS
    processes = cycle.reports.values("process")
    assert not cycle.reports.filter(process=None).exists()
    assert Task.objects.filter(process__in=processes).count() == 2 * DISTRICTS


@pytest.fixture
def broker(private_redis: RedisServer) -> Iterator[RedisServer]:
    with celery_broker(private_redis.url):
        yield private_redis


def test_open_now_is_run_by_a_worker_and_the_cycle_opens_with_878_reports(
    broker: RedisServer, workers: Callable[..., Worker], cycle: ReportingCycle, central: User
) -> None:
    cycles.cycle_open_now(cycle=cycle, by=central)  # commits, then enqueues the spawn
    assert state(cycle) == (ReportingCycle.Status.OPENING, 0, 0)

    worker = workers(broker_url=broker.url)
    wait_for(lambda: state(cycle)[0] == ReportingCycle.Status.OPEN, timeout=120, worker=worker, what="open")

    assert_opened_once(cycle)
    mine = DistrictReport.objects.get(cycle=cycle, assignee__username="t.worker_officer")
    assert not mine.unassigned


def test_a_worker_killed_mid_spawn_leaves_the_cycle_opening_and_the_periodic_job_finishes_it(
    broker: RedisServer, workers: Callable[..., Worker], cycle: ReportingCycle, central: User
) -> None:
    cycles.cycle_open_now(cycle=cycle, by=central)
    first = workers(broker_url=broker.url)
    wait_for(lambda: state(cycle)[1] > 0, timeout=120, worker=first, what="a first province")

    # Hold the cycle's row, which the spawn takes for each province: the worker stops before its next
    # province (or before opening the cycle) and is killed there, as by the OOM killer or a power cut.
    held = connections.create_connection("default")
    try:
        with held.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT id FROM reporting_reportingcycle WHERE id = %s FOR UPDATE", [cycle.pk])
        time.sleep(0.5)
        first.kill()
        with held.cursor() as cursor:
            cursor.execute("ROLLBACK")
    finally:
        held.close()

    status, spawned, reports = state(cycle)
    assert status == ReportingCycle.Status.OPENING
    assert 0 < spawned == reports < DISTRICTS

    # The message of the killed worker waits (acks_late) for the broker's visibility timeout; the
    # periodic job does not wait: it picks up every cycle left opening.
    second = workers(broker_url=broker.url)
    open_due_cycles.delay()
    wait_for(lambda: state(cycle)[0] == ReportingCycle.Status.OPEN, timeout=120, worker=second, what="open")

    assert_opened_once(cycle)
