"""Every periodic job the service relies on is in beat's schedule and runs as a task."""

from django.conf import settings

from deadlines.tasks import fire_deadlines
from flows.tasks import fire_workflow_timers
from notifications.tasks import digests, sweep


def test_beat_schedules_every_periodic_job() -> None:
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {
        "health.tasks.heartbeat",
        "deadlines.tasks.fire_deadlines",
        "flows.tasks.fire_workflow_timers",
        "notifications.tasks.sweep",
        "notifications.tasks.digests",
    } <= scheduled
    assert {fire_deadlines.name, fire_workflow_timers.name, sweep.name, digests.name} <= scheduled


def test_the_workflow_timer_job_runs(db) -> None:  # type: ignore[no-untyped-def]
    assert fire_workflow_timers.apply().get() == 0
