"""Reference lists the directory reads on every search: the active units, the provinces in Thai order, the
version of the reference data. Each web process holds its own copy, checked against one small version stamp in
the shared cache on every read (one cache read, no unpickling of a few hundred units per search).

They change rarely (central staff edit a unit, the reference data is loaded again); every such change stamps a
new version, and every process builds its copy again on its next read: the model signals for single saves
(organisation/apps.py), an explicit call after a bulk write. The copies are shared between requests: read them,
never change them.

The version stamps themselves (`stamp`, `stamp_anew`) are the one mechanism of everything held in the shared
cache: the reference data here, each person's scope (selectors/roles.py), each province's directory
(selectors/directory.py), and the work: the requests and the reports, each with its tasks, whose stamps every
statement that writes to their tables renews (`WorkWrites`), whatever wrote it (a view, a worker, an update() of
many rows). What a page shows of a person's work is held rendered under these stamps (`person_held_key`).
"""

from __future__ import annotations

import contextlib
import functools
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache, caches
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.connection import ConnectionProxy
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

VERSION_KEY = "organisation:reference-version"
SCOPE_VERSION_KEY = "organisation:scope-version"
DIRECTORY_VERSION_KEY = "organisation:directory-version"
T = TypeVar("T")

_held: dict[str, tuple[str, Any]] = {}

# What is held made by the code (a province's directory, a person's scope, counted figures: Python objects) is the
# running release's own: a cache under the release's key prefix (settings.CACHES["held"], project/release.py), as
# the pages {% cache %} holds rendered are. The stamps stay in the default cache, shared by every release.
held_cache: Any = ConnectionProxy(caches, "held")


# A request reads the stamps once, all together (one round trip to the shared cache, where each page would
# otherwise read them three times over: the person's scope, the reference data, what a held fragment covers), and
# again only after it writes one itself (stamps_read_once: the scope middleware wraps every request in it).
_read_in_this_request: ContextVar[dict[str, str] | None] = ContextVar("stamps_read", default=None)


@contextlib.contextmanager
def stamps_read_once() -> Iterator[None]:
    token = _read_in_this_request.set({})
    try:
        yield
    finally:
        _read_in_this_request.reset(token)


def _read(names: Sequence[str]) -> dict[str, str]:
    """The stamps `names` from the shared cache (one made where there is none: first read, or the cache
    emptied)."""
    found: dict[str, str] = cache.get_many(names)
    for name in names:
        if not found.get(name):
            cache.add(name, uuid.uuid4().hex, None)
            found[name] = cache.get(name) or ""
    return found


def _renew(name: str) -> None:
    cache.set(name, uuid.uuid4().hex, None)
    read = _read_in_this_request.get()
    if read is not None:
        read.clear()


def versions(*names: str) -> str:
    """The version stamps `names` as they are now, joined: part of the key of anything held that is made of
    what they cover."""
    read = _read_in_this_request.get()
    if read is None:
        found = _read(names)
    else:
        if not read:
            read.update(_read(EVERY_STAMP))
        if any(name not in read for name in names):
            read.update(_read(names))
        found = read
    return ":".join(found[name] for name in names)


def stamp(name: str) -> str:
    """The version stamp `name` as it is now."""
    return versions(name)


def stamp_anew(name: str) -> None:
    """What the stamp `name` covers changed: a new stamp now, and again once the change commits (a reader in
    between would otherwise hold the old state under the new stamp). Not the clock: tests and demos stop it."""
    _renew(name)
    transaction.on_commit(lambda: _renew(name))


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
    _renew(VERSION_KEY)


# What a page holds of a person's work (the home page's sections, a list's rows) is held at most this long: the
# stamps make it new at once when anything it is made of is written; the expiry bounds what only time changes
# (a deadline passing makes a request overdue).
PERSON_HELD_SECONDS = 60


def work_stamp_key(work: str) -> str:
    """The name of the stamp of one kind of work ("requests", "reports": settings.WORK_TABLES)."""
    return f"work:{work}"


# The stamps a held page's key names, by what it shows: the requests' work, the reports', or both.
REQUESTS = (work_stamp_key("requests"),)
REPORTS = (work_stamp_key("reports"),)
ACCOUNTS = (work_stamp_key("accounts"),)
BACKGROUND = (work_stamp_key("background"),)
EVERY_STAMP = (
    VERSION_KEY,
    SCOPE_VERSION_KEY,
    DIRECTORY_VERSION_KEY,
    *REQUESTS,
    *REPORTS,
    *ACCOUNTS,
    *BACKGROUND,
)


def person_held_key(
    user: AbstractBaseUser | AnonymousUser, *parts: str, covers: tuple[str, ...] = REQUESTS + REPORTS
) -> str:
    """The key of something rendered for this person (their id, the language, today) that stays right until
    their roles, the directory, the reference data or what the stamps `covers` name change: part of a
    {% cache %} fragment's key."""
    stamps = versions(SCOPE_VERSION_KEY, DIRECTORY_VERSION_KEY, VERSION_KEY, *covers)
    return ":".join((str(user.pk), get_language() or "th", timezone.localdate().isoformat(), stamps, *parts))


def work_held_key(*parts: str, covers: tuple[str, ...]) -> str:
    """The key of something rendered the same for everyone who may see it (the language, today) that stays right
    until the reference data or what the stamps `covers` name change: a national page's figures."""
    stamps = versions(VERSION_KEY, *covers)
    return ":".join((get_language() or "th", timezone.localdate().isoformat(), stamps, *parts))


def made_when_drawn(build: Callable[[], dict[str, Any]], names: tuple[str, ...]) -> dict[str, Any]:
    """A template's values `names`, all made by one call of `build` and only if the template reads one: what a
    held fragment draws is not made while the fragment is held."""
    once = functools.cache(build)

    def made() -> dict[str, Any]:
        values = once()
        assert values.keys() == set(names), values.keys() ^ set(names)  # the template reads each, lazily
        return values

    return {name: SimpleLazyObject(functools.partial(lambda n: made()[n], name)) for name in names}


def work_forget(work: str) -> None:
    _renew(work_stamp_key(work))


@functools.cache
def _on_commit_forget(work: str) -> Callable[[], None]:
    """One callable per kind of work, so that a transaction registers each at most once to run when it commits."""
    return functools.partial(work_forget, work)


_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"([a-z_]+)"', re.IGNORECASE)


class WorkWrites:
    """A database execute wrapper: a statement that writes to a table of the work (settings.WORK_TABLES: by the
    prefix of its name, the kinds of work it belongs to) renews their stamps at once and again when its
    transaction commits, as stamp_anew does (a page read in between would hold the old rows under the new
    stamp). Installed on every connection (organisation/apps.py)."""

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        result = execute(sql, params, many, context)
        found = _WRITE.match(sql)
        if found is None:
            return result
        connection: BaseDatabaseWrapper = context["connection"]
        for prefix, kinds in settings.WORK_TABLES.items():
            if not found[1].startswith(prefix):
                continue
            for work in kinds:
                work_forget(work)
                forget = _on_commit_forget(work)
                if connection.in_atomic_block and not any(
                    entry[1] is forget for entry in connection.run_on_commit
                ):
                    transaction.on_commit(forget, using=connection.alias)
        return result


def watch_work_writes(connection: BaseDatabaseWrapper, **_signal: object) -> None:
    """On each new database connection (connection_created): its writes to the work renew the work's stamp."""
    if not any(isinstance(wrapper, WorkWrites) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(WorkWrites())
