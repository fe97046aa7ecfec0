from organisation.models.geography import (
    District,
    DistrictNeighbour,
    LocalGovernmentOrganisation,
    Province,
    ReferenceDataVersion,
)
from organisation.models.people import (
    ActingDeputy,
    CivilServiceLevel,
    DistrictAssignment,
    Officer,
    Role,
    RoleAssignment,
)
from organisation.models.units import Unit

__all__ = [
    "ActingDeputy",
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
]
