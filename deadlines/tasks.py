from celery import shared_task
from django.utils import timezone

from deadlines.services.deadlines import due_actions_fire


@shared_task(ignore_result=True)
def fire_deadlines() -> int:
    """Every minute: fire the reminders and escalations that are due (each exactly once)."""
    return due_actions_fire(now=timezone.now()).fired
