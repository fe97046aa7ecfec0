"""The words of a notification, in the recipient's language."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from notifications.models import Kind
from organisation.models.people import person_name
from workdays.forms import one_line
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
    Kind.HANDED_OVER: _("Handed over to %(handed_to)s: %(subject)s"),
    Kind.DEADLINE_EXTENDED: _("Deadline extended to %(due)s: %(subject)s"),
    Kind.CYCLE_OPENED: _("Reporting cycle opened: %(subject)s"),
    Kind.CYCLE_CLOSING_SOON: _("Reporting cycle closes %(due)s: %(subject)s"),
    Kind.CYCLE_CLOSED: _("Reporting cycle closed: %(subject)s"),
    Kind.WEBHOOK_DISABLED: _("Webhook switched off: %(subject)s"),
}


# What the reader should do, per kind.
ACTIONS = {
    Kind.TASK_ASSIGNED: _("Open it and act on it before the deadline."),
    Kind.DUE_SOON: _("Act on it before the deadline, or ask for help if you cannot."),
    Kind.OVERDUE: _("The deadline has passed: act on it now."),
    Kind.ESCALATED: _("The holder has not acted in time: see that it is acted on, or reassign it."),
    Kind.RETURNED: _("Read what to fix, correct it and send it again before the deadline."),
    Kind.ANSWERED: _("Read the answer, then accept it or reopen it before the deadline."),
    Kind.CLOSED: _("Nothing more is needed from you."),
    Kind.HANDED_OVER: _("It is no longer yours to act on: nothing more is needed from you."),
    Kind.DEADLINE_EXTENDED: _("Finish it before the new deadline."),
    Kind.CYCLE_OPENED: _("See that each district of your province reports before the deadline."),
    Kind.CYCLE_CLOSING_SOON: _("Remind the officers whose reports are still missing."),
    Kind.CYCLE_CLOSED: _("The figures are final: open the cycle to see them."),
    Kind.WEBHOOK_DISABLED: _(
        "Its receiver failed again and again: repair it, then switch the subscription on again."
    ),
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    html: str


def recipient_language(user: User) -> str:
    officer = getattr(user, "officer", None)
    return getattr(officer, "preferred_language", None) or settings.LANGUAGE_CODE


def _due(context: dict[str, Any]) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(context["due_at"]) if context.get("due_at") else None


def _values(context: dict[str, Any]) -> dict[str, Any]:
    due = _due(context)
    return {
        "subject": one_line(str(context.get("subject", ""))),
        "level": context.get("level", ""),
        "handed_to": one_line(str(context.get("handed_to", ""))),
        "due": thai_datetime(due) if due else "",
    }


def title(notification: Notification) -> str:
    """The one-line title, in the language active now (the bell) or the recipient's (e-mail)."""
    return one_line(str(TITLES[Kind(notification.kind)]) % _values(notification.context))


def _name(value: Any) -> str:
    """A place's name stored in both languages, in the active one."""
    if isinstance(value, dict):
        english = (translation.get_language() or "th").startswith("en")
        return str(value.get("en") if english else value.get("th")) or str(value.get("th", ""))
    return str(value or "")


# What the person who acted wrote, named per kind.
TEXT_LABELS = {
    Kind.RETURNED: _("What to fix"),
    Kind.ANSWERED: _("Answer"),
    Kind.CLOSED: _("Reason"),
}


def _facts(kind: Kind, context: dict[str, Any]) -> list[tuple[str, str]]:
    """What, where, by whom, by when: (label, value) lines, only those known. Every value is one line but
    a reason, which may run over several."""
    facts: list[tuple[str, str]] = []

    def add(label: object, value: object) -> None:
        facts.append((str(label), one_line(str(value))))

    if context.get("number"):
        add(_("Number"), context["number"])
    add(_("Subject"), context.get("title") or context.get("subject", ""))
    district, province = _name(context.get("district")), _name(context.get("province"))
    if district and province:
        add(
            _("Where"),
            _("%(district)s district, %(province)s") % {"district": district, "province": province},
        )
    elif province:
        add(_("Where"), _("%(province)s province") % {"province": province})
    if context.get("actor"):
        by = context["actor"]
        if context.get("on_behalf_of"):
            by = _("%(actor)s, acting for %(director)s") % {"actor": by, "director": context["on_behalf_of"]}
        add(_("By"), by)
    if context.get("holder"):
        add(_("Held by"), context["holder"])
    if context.get("handed_to"):
        add(_("Handed to"), context["handed_to"])
    if context.get("reason"):
        facts.append((str(_("Reason")), str(context["reason"]).strip()))
    elif context.get("text"):
        facts.append((str(TEXT_LABELS.get(kind, _("Note"))), str(context["text"]).strip()))
    if context.get("missing"):
        add(_("Reports still missing"), context["missing"])
    due = _due(context)
    if due is not None:
        add(_("Deadline"), thai_datetime(due, "long"))
    return facts


def _email(recipient: User, subject: str, **values: Any) -> Rendered:
    """Every e-mail of the service: one context, laid out by two templates that hold no words of their own,
    the plain text and the HTML part (which escapes everything)."""
    values = {
        "language": translation.get_language(),
        "greeting": _("Dear %(name)s,") % {"name": person_name(recipient)},
        "headline": subject,
        "facts": [],
        "items": [],
        "todo": "",
        "link_label": _("Open"),
        "footer": [
            _("District Officer Coordination Service, Department of Local Administration"),
            _("You can choose which notifications you receive on your notification settings page."),
        ],
        **values,
    }
    body = render_to_string("notifications/email/body.txt", values)
    html = render_to_string("notifications/email/body.html", values)
    return Rendered(subject=subject, body=body, html=html)


def _link(context: dict[str, Any]) -> str:
    return f"{settings.SITE_URL}{context.get('url') or reverse('notifications:inbox')}"


def render(notification: Notification) -> Rendered:
    """One notification's e-mail: what happened, to what, where, by whom, by when, what to do, the link."""
    with translation.override(recipient_language(notification.recipient)):
        return _email(
            notification.recipient,
            title(notification),
            facts=_facts(Kind(notification.kind), notification.context),
            todo=ACTIONS[Kind(notification.kind)],
            link=_link(notification.context),
        )


def render_digest(user: User, notifications: list[Notification]) -> Rendered:
    """The daily summary: each notification's title and link, in the person's language."""
    with translation.override(recipient_language(user)):
        return _email(
            user,
            one_line(str(_("Your daily summary: %(count)s notifications")) % {"count": len(notifications)}),
            items=[(title(n), _link(n.context)) for n in notifications],
            todo=_("Since your last summary:"),
            link=f"{settings.SITE_URL}{reverse('notifications:inbox')}",
        )
