"""The coordination centre in the footer of every page (issue 11 item 10)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from organisation.cached import held_cache
from organisation.selectors.directory import coordination_centre

CENTRE_CACHE_KEY = "organisation:centre"


def _centre() -> Any:
    return held_cache.get_or_set(CENTRE_CACHE_KEY, coordination_centre, 300)


def centre(request: HttpRequest) -> dict[str, Any]:
    """The centre, from the cache (a page's layout stays within two queries); forgotten whenever a unit is
    saved, so central staff's edits show at once (organisation/apps.py)."""
    return {"coordination_centre": SimpleLazyObject(_centre)}


def centre_forget(**_signal: object) -> None:
    held_cache.delete(CENTRE_CACHE_KEY)
