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


def title(notification: Notification) -> str:
    """The one-line title, in the language active now (the bell) or the recipient's (e-mail)."""
    return str(TITLES[Kind(notification.kind)]) % _values(notification.context)


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
