"""The words of a notification, in the recipient's language."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from notifications.models import Kind
from workdays.templatetags.thai_dates import thai_datetime

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from notifications.models import Notification

TITLES = {
    Kind.TASK_ASSIGNED: _("New task for you: %(subject)s"),
    Kind.DUE_SOON: _("Due %(due)s: %(subject)s"),
    Kind.OVERDUE: _("Overdue since %(due)s: %(subject)s"),
    Kind.ESCALATED: _("Escalated to you (level %(level)s): %(subject)s"),
    Kind.RETURNED: _("Returned to you: %(subject)s"),
    Kind.ANSWERED: _("Answered: %(subject)s"),
    Kind.CLOSED: _("Closed: %(subject)s"),
    Kind.CYCLE_OPENED: _("Reporting cycle opened: %(subject)s"),
    Kind.CYCLE_CLOSING_SOON: _("Reporting cycle closes %(due)s: %(subject)s"),
    Kind.CYCLE_CLOSED: _("Reporting cycle closed: %(subject)s"),
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def recipient_language(user: User) -> str:
    officer = getattr(user, "officer", None)
    return getattr(officer, "preferred_language", None) or settings.LANGUAGE_CODE


def _values(context: dict[str, Any]) -> dict[str, Any]:
    values = {"subject": context.get("subject", ""), "level": context.get("level", ""), "due": ""}
    if context.get("due_at"):
        values["due"] = thai_datetime(datetime.datetime.fromisoformat(context["due_at"]))
    return values


# A task that went from the recipient to someone else (flows/task_life.py: task_hand_over tells its former
# holder with the new holder's name).
HANDED_OVER = _("Handed over to %(handed_to)s: %(subject)s")


def title(notification: Notification) -> str:
    """The one-line title, in the language active now (the bell) or the recipient's (e-mail)."""
    values = _values(notification.context)
    if notification.kind == Kind.TASK_ASSIGNED and notification.context.get("handed_to"):
        return str(HANDED_OVER) % {**values, "handed_to": notification.context["handed_to"]}
    return str(TITLES[Kind(notification.kind)]) % values


def render(notification: Notification) -> Rendered:
    with translation.override(recipient_language(notification.recipient)):
        subject = title(notification)
        body = render_to_string(
            "notifications/email/body.txt",
            {
                "notification": notification,
                "title": subject,
                "context": notification.context,
                "site_url": settings.SITE_URL,
            },
        )
    return Rendered(subject=subject, body=body)
