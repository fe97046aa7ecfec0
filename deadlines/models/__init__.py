from deadlines.models.policy import (
    Deadline,
    DeadlinePolicy,
    DeadlineRule,
    EscalationStep,
    EscalationTarget,
    ScheduledAction,
    Urgency,
)
from deadlines.models.timeline import TimelineEntry

__all__ = [
    "Deadline",
    "DeadlinePolicy",
    "DeadlineRule",
    "EscalationStep",
    "EscalationTarget",
    "ScheduledAction",
    "TimelineEntry",
    "Urgency",
]
