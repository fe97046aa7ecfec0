"""Reference lists the directory reads on every search: the active units, the provinces in Thai order, the
version of the reference data. Each web process holds its own copy, checked against one small version stamp in
the shared cache on every read (one cache read, no unpickling of a few hundred units per search).

They change rarely (central staff edit a unit, the reference data is loaded again); every such change stamps a
new version, and every process builds its copy again on its next read: the model signals for single saves
(organisation/apps.py), an explicit call after a bulk write. The copies are shared between requests: read them,
never change them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

VERSION_KEY = "organisation:reference-version"
T = TypeVar("T")

_held: dict[str, tuple[str, Any]] = {}


def _version() -> str:
    version: str | None = cache.get(VERSION_KEY)
    if version is None:  # first read, or the cache was emptied: a stamp that no held copy carries
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY) or ""
    return version


def version() -> str:
    """The stamp of the reference data as it is now: part of the key of anything held that is made of it."""
    return _version()


def reference(name: str, build: Callable[[], T]) -> T:
    """The list `name`, as `build` makes it, held in this process until the reference data changes.

    A change stamped while it is being built leaves it held under the older stamp: the next read builds it
    again."""
    version = _version()
    held = _held.get(name)
    if held is not None and held[0] == version:
        return held[1]
    value = build()
    _held[name] = (version, value)
    return value


def reference_forget(**_signal: object) -> None:
    """Every process's copies are out of date (a unit or a province saved, or the reference data loaded)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
