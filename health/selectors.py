"""Background work that failed and waits for central staff to repair it (issue 3: nothing fails silently)."""

from __future__ import annotations

from dataclasses import dataclass

from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from deadlines.models import ScheduledAction
from notifications.models import Delivery


@dataclass(frozen=True)
class Problems:
    failed_actions: int
    failed_deliveries: int
    failed_flow_tasks: int = 0

    @property
    def any(self) -> bool:
        return bool(self.failed_actions or self.failed_deliveries or self.failed_flow_tasks)


def background_problems() -> Problems:
    return Problems(
        failed_actions=ScheduledAction.objects.filter(status=ScheduledAction.Status.FAILED).count(),
        failed_deliveries=Delivery.objects.filter(status=Delivery.Status.FAILED).count(),
        # A workflow's background node that raised stays in ERROR (notes/viewflow.md): never silently.
        failed_flow_tasks=Task.objects.filter(status=STATUS.ERROR).count(),
    )
