from cases.models.calendar import CalendarDay
from cases.models.deadlines import (
    Deadline,
    DeadlinePolicy,
    DeadlineRule,
    EscalationStep,
    EscalationTarget,
    ScheduledAction,
    Urgency,
)
from cases.models.geography import (
    District,
    DistrictNeighbour,
    LocalGovernmentOrganisation,
    Province,
    ReferenceDataVersion,
)
from cases.models.organisation import Unit
from cases.models.people import (
    ActingDeputy,
    CivilServiceLevel,
    DistrictAssignment,
    Officer,
    Role,
    RoleAssignment,
)
from cases.models.requests import (
    Attachment,
    Category,
    CoordinationRequest,
    RequestCounter,
    RequestStatus,
)
from cases.models.system import WorkerHeartbeat
from cases.models.timeline import TimelineEntry

__all__ = [
    "ActingDeputy",
    "Attachment",
    "CalendarDay",
    "Category",
    "CivilServiceLevel",
    "CoordinationRequest",
    "Deadline",
    "DeadlinePolicy",
    "DeadlineRule",
    "District",
    "DistrictAssignment",
    "DistrictNeighbour",
    "EscalationStep",
    "EscalationTarget",
    "LocalGovernmentOrganisation",
    "Officer",
    "Province",
    "ReferenceDataVersion",
    "RequestCounter",
    "RequestStatus",
    "Role",
    "RoleAssignment",
    "ScheduledAction",
    "TimelineEntry",
    "Unit",
    "Urgency",
    "WorkerHeartbeat",
]
