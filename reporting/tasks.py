from celery import shared_task
from django.utils import timezone

from reporting.services.cycles import cycle_spawn, cycles_open_due


@shared_task(ignore_result=True, acks_late=True)
def spawn_cycle(cycle_id: int) -> int:
    """Open a cycle: one report per district. Safe to run twice (a retry, a second worker)."""
    return cycle_spawn(cycle_id=cycle_id).created


@shared_task(ignore_result=True)
def open_due_cycles() -> int:
    """Every few minutes: cycles whose opening date has come, and openings a lost message left half done."""
    return cycles_open_due(now=timezone.now())


@shared_task(ignore_result=True)
def notify_closing_soon() -> int:
    """Every few minutes: one working day before a cycle closes, each province's director and head hear how
    many of their reports are still missing (once per cycle)."""
    from reporting.services.notices import closing_soon_notify

    return closing_soon_notify(now=timezone.now())
