"""Reference lists the directory reads on every search, kept in the cache: the active units and the provinces.

They change rarely (central staff edit a unit, the reference data is loaded again); every such change forgets
them: the model signals for single saves (organisation/apps.py), an explicit call after a bulk write.
"""

from __future__ import annotations

from django.core.cache import cache

UNITS_CACHE_KEY = "organisation:units"
PROVINCES_CACHE_KEY = "organisation:provinces"


def reference_forget(**_signal: object) -> None:
    """Forget the cached units and provinces (a unit or a province saved, or the reference data loaded)."""
    cache.delete_many([UNITS_CACHE_KEY, PROVINCES_CACHE_KEY])
