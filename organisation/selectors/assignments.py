"""Reads for assigning districts (source document, Part 1, question 4): which districts adjoin, and who in the
province already holds which district."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from organisation.models import District, DistrictAssignment, DistrictNeighbour, Officer


def neighbour_ids(district: District) -> set[int] | None:
    """The ids of the districts that adjoin the district; None when no neighbour is recorded for it (no data,
    or an island): then nothing can be said about adjoining. One query."""
    pairs = list(
        DistrictNeighbour.objects.filter(Q(district_a=district) | Q(district_b=district)).values_list(
            "district_a_id", "district_b_id"
        )
    )
    if not pairs:
        return None
    return {a if b == district.pk else b for a, b in pairs}


@dataclass
class AssignChoice:
    """An officer who may be given the district, with the districts they hold on the day it would start."""

    officer: Officer
    districts: list[District] = field(default_factory=list)  # held now, the district being assigned left out
    holds_this: bool = False  # already responsible for the district being assigned
    adjoining: list[District] = field(default_factory=list)  # those of `districts` that adjoin it
    neighbours_known: bool = True

    @property
    def adjoins(self) -> bool | None:
        """True or False when the officer holds other districts and neighbours are recorded; else None."""
        if not self.districts or not self.neighbours_known:
            return None
        return bool(self.adjoining)


def assign_choices(
    *, district: District, officers: Sequence[Officer], on: datetime.date
) -> tuple[list[AssignChoice], bool]:
    """Each officer with the districts they hold on `on` and whether the district adjoins them; and whether any
    neighbour of the district is recorded. Two queries, whatever the number of officers."""
    neighbours = neighbour_ids(district)
    held: dict[int, list[District]] = {}
    holds_this: set[int] = set()
    for assignment in (
        DistrictAssignment.objects.current(on)
        .filter(officer__in=[o.pk for o in officers])
        .select_related("district")
        .order_by("district__name_th")
    ):
        if assignment.district_id == district.pk:
            holds_this.add(assignment.officer_id)
        else:
            held.setdefault(assignment.officer_id, []).append(assignment.district)
    choices = []
    for officer in officers:
        districts = held.get(officer.pk, [])
        choices.append(
            AssignChoice(
                officer=officer,
                districts=districts,
                holds_this=officer.pk in holds_this,
                adjoining=[d for d in districts if neighbours is not None and d.pk in neighbours],
                neighbours_known=neighbours is not None,
            )
        )
    return choices, neighbours is not None
