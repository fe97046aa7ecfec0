"""Timeline entries in words, in the reader's language: what happened and why."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from deadlines.models import DeadlinePolicy, EscalationTarget, TimelineEntry
from workdays.templatetags.thai_dates import thai_date, thai_datetime


def _when(value: str | None) -> str:
    return thai_datetime(datetime.datetime.fromisoformat(value)) if value else ""


def _policy(version: int | str) -> str:
    """The deadline rules an entry followed, as an officer names them: their number and since when they apply
    (the day the version was made), not the engine's "policy v1"."""
    made = DeadlinePolicy.objects.filter(version=version).values_list("created_at", flat=True).first()
    if made is None:
        return _("deadline rules no. %(version)s") % {"version": version}
    return _("deadline rules no. %(version)s, in force from %(date)s") % {
        "version": version,
        "date": thai_date(made),
    }


def describe(entry: TimelineEntry) -> str:
    data: dict[str, Any] = entry.data
    policy = _policy(data["policy_version"]) if "policy_version" in data else ""
    if entry.kind == TimelineEntry.Kind.DEADLINE_SET and "working_days" not in data:
        return _("Due %(due)s (under %(policy)s)") % {"due": _when(data.get("due_at")), "policy": policy}
    if entry.kind == TimelineEntry.Kind.DEADLINE_SET:
        return _("Due %(due)s (%(days)s working days, under %(policy)s)") % {
            "due": _when(data.get("due_at")),
            "days": data.get("working_days", ""),
            "policy": policy,
        }
    if entry.kind == TimelineEntry.Kind.DEADLINE_MOVED and "policy_version" not in data:
        return _("Deadline extended from %(old)s to %(due)s: %(reason)s") % {
            "old": _when(data.get("old_due_at")),
            "due": _when(data.get("due_at")),
            "reason": data.get("reason", ""),
        }
    if entry.kind == TimelineEntry.Kind.DEADLINE_MOVED:
        return _("Deadline moved from %(old)s to %(due)s (under %(policy)s)") % {
            "old": _when(data.get("old_due_at")),
            "due": _when(data.get("due_at")),
            "policy": policy,
        }
    if entry.kind == TimelineEntry.Kind.REMINDER:
        return _("Reminder sent to %(who)s: due %(due)s (under %(policy)s)") % {
            "who": ", ".join(data.get("notified", [])) or "-",
            "due": _when(data.get("due_at")),
            "policy": policy,
        }
    if entry.kind == TimelineEntry.Kind.ESCALATION:
        target = EscalationTarget(data["target"]).label if data.get("target") else ""
        return _(
            "Escalation level %(level)s to %(target)s (%(who)s): overdue since %(due)s under %(policy)s"
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
    if entry.kind == TimelineEntry.Kind.STEP and data.get("event") in _REQUEST_EVENTS:
        return _request_step(data)
    if entry.kind == TimelineEntry.Kind.STEP and data.get("event") in _REPORT_EVENTS:
        return str(_REPORT_EVENTS[data["event"]](data))
    if entry.kind == TimelineEntry.Kind.COMMENT:
        return str(data.get("text", ""))
    if entry.kind == TimelineEntry.Kind.FAILURE:
        return _("A background step failed: %(error)s") % {"error": data.get("error", "")}
    return str(data.get("text", entry.get_kind_display()))


# Steps of a coordination request (cases/services/requests/): the event, and the words for it.
_REQUEST_EVENTS = {
    "sent": lambda d: _("Sent to the group director as %(number)s") % {"number": d.get("number", "")},
    "routed": lambda d: _("Approved and routed to %(to)s") % {"to": d.get("to", "")},
    "returned": lambda d: _("Returned to the requester for more information"),
    "resent": lambda d: _("Edited and sent again"),
    "rejected": lambda d: _("Rejected"),
    "answered_directly": lambda d: _("Answered directly by the group director"),
    "answered": lambda d: _("Answered"),
    "answered_by_district": lambda d: _("Answered by the district officer"),
    "clarification_asked": lambda d: _("Clarification asked of the requester"),
    "clarified": lambda d: _("Clarification given"),
    "handed_on": lambda d: _("Handed on to %(to)s") % {"to": d.get("to", "")},
    "accepted": lambda d: _("Answer accepted: closed"),
    "reopened": lambda d: _("Reopened"),
    "closed_automatically": lambda d: _(
        "Closed automatically: the answer was neither accepted nor reopened in time"
    ),
    "withdrawn": lambda d: _("Withdrawn by the requester"),
    "claimed": lambda d: _("Claimed from the pool"),
    "released": lambda d: _("Released back to the pool"),
    "attached": lambda d: _("File attached: %(name)s") % {"name": d.get("name", "")},
}


# Steps of a district report (reporting/services/reports.py).
_REPORT_EVENTS = {
    "report_opened": lambda d: _("Report opened for %(to)s") % {"to": d.get("to", "")},
    "report_unassigned": lambda d: (
        _("Nobody is responsible for this district: the report goes to the group director %(to)s")
        % {"to": d.get("to", "")}
    ),
    "report_saved": lambda d: _("Draft saved"),
    "report_submitted": lambda d: (
        _("Submitted late")
        if d.get("late")
        else _("Submitted within the extension")
        if d.get("within_extension")
        else _("Submitted")
    ),
    "report_returned": lambda d: _("Returned to the officer for corrections"),
    "report_approved": lambda d: _("Approved: complete"),
    "report_reopened": lambda d: _("Reopened by the coordination centre"),
    "report_closed": lambda d: _("The cycle was closed"),
}


def _request_step(data: dict[str, Any]) -> str:
    return str(_REQUEST_EVENTS[data["event"]](data))


def step_detail(entry: TimelineEntry) -> str:
    """The text that came with a step (a reason, an answer, a question), shown under its description."""
    if entry.kind == TimelineEntry.Kind.STEP:
        return str(entry.data.get("text", ""))
    return ""
