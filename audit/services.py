"""Writing to the audit log what model signals do not see: a queryset's update() or a bulk_create."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.db.models import Model

from audit.context import acting
from audit.models import AuditEntry


def changes_record(
    *, instances: Iterable[Model], changes: dict[str, tuple[Any, Any]], by: User | None = None
) -> int:
    """One entry per row changed in bulk, with each field's value before and after (as text, as auditlog
    writes them). `changes`: field -> (before, after); a row whose own before differs is given its own."""
    written = 0
    with acting(by) if by is not None else contextlib.nullcontext():
        written = _record(instances, changes)
    return written


def _record(instances: Iterable[Model], changes: dict[str, tuple[Any, Any]]) -> int:
    written = 0
    for instance in instances:
        diff = {}
        for name, (before, after) in changes.items():
            own_before = getattr(instance, name, before)
            if own_before != after:
                diff[name] = [_text(own_before), _text(after)]
        if diff:
            AuditEntry.objects.log_create(instance, action=LogEntry.Action.UPDATE, changes=diff)
            written += 1
    return written


def _text(value: Any) -> str:
    return "None" if value is None else str(value)
