from celery import shared_task
from viewflow.workflow.timers import fire_due_timers


@shared_task(ignore_result=True)
def fire_workflow_timers() -> int:
    """Every minute: viewflow's database timers that are due (e.g. an answered request nobody accepted
    closes itself). Safe with several workers: each task is fired under its flow lock."""
    return fire_due_timers()
