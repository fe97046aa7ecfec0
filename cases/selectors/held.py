"""Figures counted once for everyone who asks for the same ones, and held in the shared cache for
MONITORING_FIGURES_SECONDS (five minutes): the coordination monitoring pages' figures and the country's list's
figures by province and by target. At national scale such figures take a second or two to count; every central
staff member asks for the same ones. A page that shows held figures says when they were counted
(requests/_counted.html, with `held_minutes`)."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from organisation.cached import held_cache

T = TypeVar("T")


# While one process counts a page's figures, the others who ask for them wait for its count, up to this long
# (a national count takes one to two seconds), rather than all counting the same figures at once.
COUNTING_WAIT_SECONDS = 10.0
COUNTING_POLL_SECONDS = 0.05


def held(key: str, build: Callable[[datetime.datetime], T]) -> tuple[T, datetime.datetime]:
    """What `build(now)` counts for the page `key` (its scope and period, e.g. "province:12:2569-Q1"), and
    when it was counted: counted at most once every MONITORING_FIGURES_SECONDS for everyone (labels inside are
    in the language of the page: a copy per language). 0 seconds counts on every request.

    When the figures are not held, the first to ask counts them (it holds a "counting" mark in the cache
    meanwhile) and the others who arrive during the count wait for its figures instead of counting too: ten
    central staff opening the page together at nine cost one count, not ten at once."""
    seconds = settings.MONITORING_FIGURES_SECONDS
    if seconds <= 0:
        now = timezone.now()
        return build(now), now
    name = _name(key)
    found: tuple[T, datetime.datetime] | None = held_cache.get(name)
    if found is not None:
        return found
    counting = f"{name}:counting"
    if not held_cache.add(counting, 1, timeout=int(COUNTING_WAIT_SECONDS) * 2):
        waited_until = time.monotonic() + COUNTING_WAIT_SECONDS
        while time.monotonic() < waited_until:
            time.sleep(COUNTING_POLL_SECONDS)
            found = held_cache.get(name)
            if found is not None:
                return found
    try:
        now = timezone.now()
        value = (build(now), now)
        held_cache.set(name, value, seconds)
    finally:
        held_cache.delete(counting)
    return value


def hold_anew(key: str, build: Callable[[datetime.datetime], T]) -> None:
    """Count the figures of `key` now and hold them for everyone, whether held or not: beat counts the figures
    most asked for ahead of time (cases/tasks.py), so that no look waits for their count."""
    now = timezone.now()
    held_cache.set(_name(key), (build(now), now), max(settings.MONITORING_FIGURES_SECONDS, 1))


def _name(key: str) -> str:
    return f"monitoring:{key}:{get_language() or 'th'}"


def held_minutes() -> int:
    """How often held figures are counted again, in whole minutes, as the pages say it (0: on every look)."""
    return (settings.MONITORING_FIGURES_SECONDS + 59) // 60
