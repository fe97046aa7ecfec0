"""E-mail: the console backend locally, SMTP from settings in production.

At least once, with the same Message-ID on a repeat: the channel returns only when the relay has accepted
the message (its reply to the final "." of DATA), and only then is the delivery recorded as sent. A worker
that dies before that reply leaves its delivery claimed; the sweep takes the claim back after
`NOTIFICATION_CLAIM_TIMEOUT_SECONDS` and the message goes again, with the same Message-ID, which mail
systems recognise as one message. Nothing is lost; a repeat can only happen for what was in flight.

A live send never outlasts the claim: the whole SMTP exchange (connect, greeting, TLS, MAIL, RCPT, DATA,
the final reply) must end within `EMAIL_SEND_DEADLINE_SECONDS`: before every read and write the socket's
timeout is set to what is left of that deadline (and at most `EMAIL_TIMEOUT`), so a slow relay makes the
send fail as unavailable (retried later) rather than run on after the sweep took its claim back. The
settings check (notifications.checks) keeps the claim timeout above the deadline.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from notifications import texts
from notifications.channels.base import ChannelRejected, ChannelUnavailable

if TYPE_CHECKING:
    from notifications.models import Delivery

logger = logging.getLogger(__name__)


class _Deadline:
    """An SMTP client whose every read and write ends by one moment (`time.monotonic()`)."""

    deadline: float
    sock: socket.socket | None
    timeout: float

    def _bounded(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the mail server did not finish within the send deadline")
        if self.sock is not None:
            self.sock.settimeout(min(left, self.timeout))

    def send(self, s: Any) -> None:
        self._bounded()
        super().send(s)  # type: ignore[misc]

    def getreply(self) -> tuple[int, bytes]:
        self._bounded()
        return super().getreply()  # type: ignore[misc]


class _SMTP(_Deadline, smtplib.SMTP):
    def __init__(self, *args: Any, deadline: float, **kwargs: Any) -> None:
        self.deadline = deadline
        super().__init__(*args, **kwargs)


class _SMTP_SSL(_Deadline, smtplib.SMTP_SSL):
    def __init__(self, *args: Any, deadline: float, **kwargs: Any) -> None:
        self.deadline = deadline
        super().__init__(*args, **kwargs)


class DeadlineSmtpBackend(SmtpBackend):
    """Django's SMTP backend with the whole exchange bounded by `deadline` (a `time.monotonic()` moment)."""

    def __init__(self, *, deadline: float, **kwargs: Any) -> None:
        self.deadline = deadline
        super().__init__(**kwargs)

    @property
    def connection_class(self) -> Any:
        smtp_class = _SMTP_SSL if self.use_ssl else _SMTP

        def connect(*args: Any, **kwargs: Any) -> smtplib.SMTP:
            return smtp_class(*args, deadline=self.deadline, **kwargs)

        return connect


def _connection() -> Any:
    if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
        return DeadlineSmtpBackend(
            deadline=time.monotonic() + settings.EMAIL_SEND_DEADLINE_SECONDS,
            timeout=settings.EMAIL_TIMEOUT,
            fail_silently=False,
        )
    return get_connection(fail_silently=False)  # local backends (console, file, memory)


def send(delivery: Delivery) -> None:
    """Returns once the relay has accepted the message; raises ChannelUnavailable (try again later) or
    ChannelRejected (never)."""
    notification = delivery.notification
    recipient = notification.recipient
    if not recipient.email:
        raise ChannelRejected("no e-mail address")
    rendered = texts.render(notification)
    connection = _connection()
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        # The same Message-ID on every attempt: a repeated delivery is recognisable as one message.
        headers={"Message-ID": f"<{delivery.dedupe_key}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"},
        connection=connection,
    )
    message.attach_alternative(rendered.html, "text/html")
    try:
        connection.open()
        sent = message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise ChannelRejected(str(exc)) from exc
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            raise ChannelRejected(str(exc)) from exc
        raise ChannelUnavailable(str(exc)) from exc
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise ChannelUnavailable(str(exc)) from exc
    finally:
        _close(connection)
    if not sent:
        raise ChannelUnavailable("the mail server did not take the message")


def _close(connection: Any) -> None:
    """QUIT after the message: its failure changes nothing (what the relay accepted stays accepted)."""
    try:
        connection.close()
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        logger.info("closing the SMTP connection failed after the exchange: %s", exc)
