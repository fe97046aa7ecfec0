"""Reference lists the directory reads on every search: the active units, the provinces in Thai order, the
version of the reference data. Each web process holds its own copy, checked against one small version stamp in
the shared cache on every read (one cache read, no unpickling of a few hundred units per search).

They change rarely (central staff edit a unit, the reference data is loaded again); every such change stamps a
new version, and every process builds its copy again on its next read: the model signals for single saves
(organisation/apps.py), an explicit call after a bulk write. The copies are shared between requests: read them,
never change them.

The version stamps themselves (`stamp`, `stamp_anew`) are the one mechanism of everything the organisation
holds in the shared cache: the reference data here, each person's scope (selectors/roles.py), each province's
directory (selectors/directory.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "organisation:reference-version"
T = TypeVar("T")

_held: dict[str, tuple[str, Any]] = {}


def stamp(name: str) -> str:
    """The version stamp `name` as it is now (one made when there is none: first read, or the cache emptied).
    Part of the key of anything held that is made of what the stamp covers."""
    found: str | None = cache.get(name)
    if found is None:
        cache.add(name, uuid.uuid4().hex, None)
        found = cache.get(name) or ""
    return found


def stamp_anew(name: str) -> None:
    """What the stamp `name` covers changed: a new stamp now, and again once the change commits (a reader in
    between would otherwise hold the old state under the new stamp). Not the clock: tests and demos stop it."""
    cache.set(name, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(name, uuid.uuid4().hex, None))


def reference(name: str, build: Callable[[], T]) -> T:
    """The list `name`, as `build` makes it, held in this process until the reference data changes.

    A change stamped while it is being built leaves it held under the older stamp: the next read builds it
    again."""
    version_now = stamp(VERSION_KEY)
    held = _held.get(name)
    if held is not None and held[0] == version_now:
        return held[1]
    value = build()
    _held[name] = (version_now, value)
    return value


def reference_forget(**_signal: object) -> None:
    """Every process's copies are out of date (a unit or a province saved, or the reference data loaded)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
