"""The periodic job run by two processes at once over 1,000 due escalations: each fires exactly once.

Two real Python processes on the PostgreSQL test database, released together, each run
`due_actions_fire`; rows are claimed with SELECT ... FOR UPDATE SKIP LOCKED."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from deadlines.models import (
    Deadline,
    DeadlinePolicy,
    EscalationTarget,
    ScheduledAction,
    TimelineEntry,
    Urgency,
)
from deadlines.services.deadlines import policy_define_step
from notifications.models import Delivery, Kind, Notification
from organisation.models import District, Officer, Role
from tests.factories import OfficerFactory, give_role
from tests.integration.processes import BASE_DIR, RedisServer, process_group_stop, worker_database_url

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TOTAL = 1000
STEP = "test.periodic"

# Each process: set up Django and connect, say "ready", wait for "go" on stdin, run the job, print a report.
JOB = """
import datetime, json, sys
import django
django.setup()
from django.db import connection
from deadlines.services.deadlines import due_actions_fire
connection.ensure_connection()
print("ready", flush=True)
sys.stdin.readline()
report = due_actions_fire(now=datetime.datetime.fromisoformat(sys.argv[1]), batch_size=int(sys.argv[2]))
print(json.dumps({"fired": report.fired, "failed": report.failed}), flush=True)
"""


@pytest.fixture
def people(db: None) -> dict[str, Officer]:
    officer = OfficerFactory(email="officer@dla.go.th", user__email="officer@dla.go.th")
    director = OfficerFactory(
        email="director@dla.go.th", user__email="director@dla.go.th", former_district_officer=True
    )
    give_role(officer, Role.DISTRICT_OFFICER)
    give_role(director, Role.GROUP_DIRECTOR)
    return {"officer": officer, "director": director}


def due_escalations(people: dict[str, Officer], now: datetime.datetime) -> list[Deadline]:
    """1,000 open deadlines of Chiang Mai, each past due by a different number of minutes, each with one
    escalation (level 1: the assignee and the group director) due."""
    policy, _ = DeadlinePolicy.objects.get_or_create(version=900, defaults={"name": "periodic job test"})
    rules = policy_define_step(
        policy=policy,
        step=STEP,
        working_days=dict.fromkeys(Urgency, 3),
        reminders=[],
        ladder=[(1, 0, EscalationTarget.ASSIGNEE_AND_DIRECTOR, False)],
    )
    rule = next(r for r in rules if r.urgency == Urgency.NORMAL)
    officer = people["officer"]
    districts = list(District.objects.filter(province=officer.province))
    deadlines = Deadline.objects.bulk_create(
        Deadline(
            task_type=ContentType.objects.get_for_model(Officer),
            task_id=i + 1,
            case_type=ContentType.objects.get_for_model(District),
            case_id=districts[i % len(districts)].pk,
            step=STEP,
            urgency=Urgency.NORMAL,
            rule=rule,
            province=officer.province,
            assignee=officer.user,
            started_at=now - datetime.timedelta(days=10),
            due_at=now - datetime.timedelta(minutes=i + 1),
        )
        for i in range(TOTAL)
    )
    ScheduledAction.objects.bulk_create(
        ScheduledAction(deadline=d, kind=ScheduledAction.Kind.ESCALATION, position=1, fire_at=d.due_at)
        for d in deadlines
    )
    return deadlines


def test_two_processes_fire_1000_due_escalations_each_exactly_once(
    people: dict[str, Officer], private_redis: RedisServer
) -> None:
    now = timezone.now()
    deadlines = due_escalations(people, now)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.test_settings",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": private_redis.url,  # the deliveries' enqueue goes to a broker of this test's own
    }
    command = [sys.executable, "-c", JOB, now.isoformat(), "100"]
    processes = []
    try:
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=BASE_DIR,
                    env=env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    start_new_session=True,
                )
            )
        for process in processes:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line == b"ready\n", line + process.stderr.read() if process.stderr else b""
        for process in processes:  # released together
            assert process.stdin is not None
            process.stdin.write(b"go\n")
            process.stdin.flush()
        reports = []
        for process in processes:
            out, err = process.communicate(timeout=90)
            assert process.returncode == 0, err.decode(errors="replace")[-3000:]
            reports.append(json.loads(out.decode().strip().splitlines()[-1]))
    finally:
        for process in processes:
            process_group_stop(process, grace=5)

    print(f"fired by each process: {[r['fired'] for r in reports]}")
    assert sum(r["fired"] for r in reports) == TOTAL
    assert all(r["failed"] == 0 for r in reports)
    assert all(r["fired"] > 0 for r in reports), "one process did all the work: they did not overlap"

    actions = ScheduledAction.objects.filter(deadline__in=deadlines)
    assert actions.filter(status=ScheduledAction.Status.FIRED, fired_at=now).count() == TOTAL

    # One timeline entry per deadline: each deadline has its own due time.
    entries = TimelineEntry.objects.filter(kind=TimelineEntry.Kind.ESCALATION)
    assert entries.count() == TOTAL
    assert {e.data["due_at"] for e in entries} == {d.due_at.isoformat() for d in deadlines}

    # Two notifications per escalation (the assignee and the group director), none twice.
    notifications = Notification.objects.filter(kind=Kind.OVERDUE)
    assert notifications.count() == 2 * TOTAL
    pairs = Counter((n.recipient_id, n.context["due_at"]) for n in notifications)
    assert len(pairs) == 2 * TOTAL
    assert set(Counter(n.recipient_id for n in notifications).values()) == {TOTAL}
    assert Delivery.objects.count() == 2 * TOTAL
