from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models

from deadlines.models import TimelineEntry


def timeline_entry(
    *,
    case: models.Model,
    kind: TimelineEntry.Kind,
    at: datetime.datetime,
    data: dict[str, Any] | None = None,
    actor: User | None = None,
    on_behalf_of: User | None = None,
) -> TimelineEntry:
    """Build (not save) an entry: callers save one with .save() or many with bulk_create."""
    return TimelineEntry(
        case_type=ContentType.objects.get_for_model(case),
        case_id=case.pk,
        kind=kind,
        at=at,
        data=data or {},
        actor=actor,
        on_behalf_of=on_behalf_of,
    )


def timeline_add(**kwargs: Any) -> TimelineEntry:
    entry = timeline_entry(**kwargs)
    entry.save()
    return entry
