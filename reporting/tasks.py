"""Thin jobs over the cycle services. The services enqueue `spawn_cycle` themselves (on commit), so this
module imports them as modules and reads their functions when a job runs."""

from celery import shared_task
from django.utils import timezone

from reporting.services import cycles, notices


@shared_task(ignore_result=True, acks_late=True)
def spawn_cycle(cycle_id: int) -> int:
    """Open a cycle: one report per district. Safe to run twice (a retry, a second worker)."""
    return cycles.cycle_spawn(cycle_id=cycle_id).created


@shared_task(ignore_result=True)
def open_due_cycles() -> int:
    """Every few minutes: cycles whose opening date has come, and openings a lost message left half done."""
    return cycles.cycles_open_due(now=timezone.now())


@shared_task(ignore_result=True)
def notify_closing_soon() -> int:
    """Every few minutes: one working day before a cycle closes, each province's director and head hear how
    many of their reports are still missing (once per cycle)."""
    return notices.closing_soon_notify(now=timezone.now())
