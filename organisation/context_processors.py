"""The coordination centre in the footer of every page (issue 11 item 10)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from organisation.cached import reference
from organisation.selectors.directory import coordination_centre


def centre(request: HttpRequest) -> dict[str, Any]:
    """The centre, held in each process with the reference data (organisation/cached.py): the layout reads
    nothing for it, and a unit saved (its name, its contacts) shows on the next page."""
    return {
        "coordination_centre": SimpleLazyObject(lambda: reference("coordination-centre", coordination_centre))
    }
