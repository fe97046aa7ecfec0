from cases.models.calendar import CalendarDay
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
from cases.models.system import WorkerHeartbeat

__all__ = [
    "ActingDeputy",
    "CalendarDay",
    "CivilServiceLevel",
    "District",
    "DistrictAssignment",
    "DistrictNeighbour",
    "LocalGovernmentOrganisation",
    "Officer",
    "Province",
    "ReferenceDataVersion",
    "Role",
    "RoleAssignment",
    "Unit",
    "WorkerHeartbeat",
]
