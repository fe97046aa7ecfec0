"""E-mail: the console backend locally, SMTP from settings in production."""

from __future__ import annotations

import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from notifications import texts
from notifications.channels.base import ChannelRejected, ChannelUnavailable

if TYPE_CHECKING:
    from notifications.models import Delivery


def send(delivery: Delivery) -> None:
    notification = delivery.notification
    recipient = notification.recipient
    if not recipient.email:
        raise ChannelRejected("no e-mail address")
    rendered = texts.render(notification)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        # The same Message-ID on every attempt: a repeated delivery is recognisable as one message.
        headers={"Message-ID": f"<{delivery.dedupe_key}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"},
        connection=get_connection(timeout=settings.EMAIL_TIMEOUT),
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise ChannelRejected(str(exc)) from exc
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise ChannelUnavailable(str(exc)) from exc
