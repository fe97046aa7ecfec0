"""Background work that failed and waits for central staff to repair it (issue 3: nothing fails silently)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from django.db.models import Count, QuerySet, Value
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from deadlines.models import ScheduledAction
from notifications.models import Delivery
from organisation.cached import BACKGROUND, PERSON_HELD_SECONDS, held_cache, versions


@dataclass(frozen=True)
class Problems:
    failed_actions: int
    failed_deliveries: int
    failed_flow_tasks: int = 0

    @property
    def any(self) -> bool:
        return bool(self.failed_actions or self.failed_deliveries or self.failed_flow_tasks)


def background_problems() -> Problems:
    """The three counts, held until something writes to the tables they count (central staff's home page asks
    on every look)."""
    key = f"health:problems:{versions(*BACKGROUND)}"
    problems: Problems | None = held_cache.get(key)
    if problems is None:
        problems = _counted()
        held_cache.set(key, problems, PERSON_HELD_SECONDS)
    return problems


def _counted() -> Problems:
    """The three counts in one query."""

    def failed(queryset: QuerySet[Any], kind: str) -> QuerySet[Any]:
        # A constant is not grouped by: one row per kind, its count 0 when nothing failed.
        return queryset.order_by().annotate(problem=Value(kind)).values("problem").annotate(n=Count("*"))

    counts = dict(
        failed(ScheduledAction.objects.filter(status=ScheduledAction.Status.FAILED), "failed_actions")
        .union(
            failed(Delivery.objects.filter(status=Delivery.Status.FAILED), "failed_deliveries"),
            # A workflow's background node that raised stays in ERROR (notes/viewflow.md): never silently.
            failed(Task.objects.filter(status=STATUS.ERROR), "failed_flow_tasks"),
            all=True,
        )
        .values_list("problem", "n")
    )
    return Problems(**{field.name: counts.get(field.name, 0) for field in fields(Problems)})
