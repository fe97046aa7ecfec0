"""Timeline entries in words, in the reader's language: what happened and why."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from cases.models import EscalationTarget, TimelineEntry
from cases.templatetags.thai_dates import thai_datetime


def _when(value: str | None) -> str:
    return thai_datetime(datetime.datetime.fromisoformat(value)) if value else ""


def describe(entry: TimelineEntry) -> str:
    data: dict[str, Any] = entry.data
    policy = data.get("policy_version", "")
    if entry.kind == TimelineEntry.Kind.DEADLINE_SET:
        return _("Due %(due)s (%(days)s working days, policy v%(policy)s)") % {
            "due": _when(data.get("due_at")),
            "days": data.get("working_days", ""),
            "policy": policy,
        }
    if entry.kind == TimelineEntry.Kind.DEADLINE_MOVED:
        return _("Deadline moved from %(old)s to %(due)s (policy v%(policy)s applied)") % {
            "old": _when(data.get("old_due_at")),
            "due": _when(data.get("due_at")),
            "policy": policy,
        }
    if entry.kind == TimelineEntry.Kind.REMINDER:
        return _("Reminder sent to %(who)s: due %(due)s (policy v%(policy)s)") % {
            "who": ", ".join(data.get("notified", [])) or "-",
            "due": _when(data.get("due_at")),
            "policy": policy,
        }
    if entry.kind == TimelineEntry.Kind.ESCALATION:
        target = EscalationTarget(data["target"]).label if data.get("target") else ""
        return _(
            "Escalation level %(level)s to %(target)s (%(who)s): overdue since %(due)s under policy v%(policy)s"
        ) % {
            "level": data.get("level", ""),
            "target": target,
            "who": ", ".join(data.get("notified", [])) or "-",
            "due": _when(data.get("due_at")),
            "policy": policy,
        }
    if entry.kind == TimelineEntry.Kind.REASSIGNED:
        text = _("Reassigned from %(old)s to %(new)s") % {
            "old": data.get("from") or "-",
            "new": data.get("to") or "-",
        }
        return f"{text}: {data['reason']}" if data.get("reason") else text
    if entry.kind == TimelineEntry.Kind.FAILURE:
        return _("A background step failed: %(error)s") % {"error": data.get("error", "")}
    return str(data.get("text", entry.get_kind_display()))
