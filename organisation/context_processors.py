"""The coordination centre in the footer of every page (issue 11 item 10)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from organisation.selectors.directory import coordination_centre


def centre(request: HttpRequest) -> dict[str, Any]:
    """The centre, read when a page shows it (one query), so that central staff's edits show at once."""
    return {"coordination_centre": SimpleLazyObject(coordination_centre)}
