"""Background work that failed and waits for central staff to repair it (issue 3: nothing fails silently)."""

from __future__ import annotations

from dataclasses import dataclass

from cases.models import ScheduledAction
from notifications.models import Delivery


@dataclass(frozen=True)
class Problems:
    failed_actions: int
    failed_deliveries: int

    @property
    def any(self) -> bool:
        return bool(self.failed_actions or self.failed_deliveries)


def background_problems() -> Problems:
    return Problems(
        failed_actions=ScheduledAction.objects.filter(status=ScheduledAction.Status.FAILED).count(),
        failed_deliveries=Delivery.objects.filter(status=Delivery.Status.FAILED).count(),
    )
