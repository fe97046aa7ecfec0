"""E-mail: the console backend locally, SMTP from settings in production.

One connection for a batch: a `session()` opens the SMTP connection at its first message and sends every
message of the batch over it (a relay's greeting, EHLO and TLS once, not once per message), one message at
a time, each with its own outcome. After a failure the connection is dropped, not trusted with the next
message: the next one opens a new connection. Batches run in parallel in the e-mail worker's threads.

At least once, with the same Message-ID on a repeat: the channel returns only when the relay has accepted
the message (its reply to the final "." of DATA), and only then is the delivery recorded as sent. A worker
that dies before that reply leaves its delivery claimed; the sweep takes the claim back after
`NOTIFICATION_CLAIM_TIMEOUT_SECONDS` and the message goes again, with the same Message-ID, which mail
systems recognise as one message. Nothing is lost; a repeat can only happen for what was in flight.

A live send never outlasts the claim: each message's SMTP exchange (on a new connection: connect, greeting,
TLS; then MAIL, RCPT, DATA, the final reply) must end within `EMAIL_SEND_DEADLINE_SECONDS` of its start:
before every read and write the socket's timeout is set to what is left of that message's deadline (and at
most `EMAIL_TIMEOUT`), so a slow relay makes the send fail as unavailable (retried later) rather than run
on after the sweep took its claim back. The settings keep the claim timeout above the deadline.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import socket
import time
from collections.abc import Callable, Iterator
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
    """Django's SMTP backend whose exchange is bounded by `deadline` (a `time.monotonic()` moment); a batch
    moves the deadline on before each message (`deadline_from_now`)."""

    def __init__(self, *, deadline: float, **kwargs: Any) -> None:
        self.deadline = deadline
        super().__init__(**kwargs)

    def deadline_from_now(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        if isinstance(self.connection, _Deadline):
            self.connection.deadline = self.deadline

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


class _Batch:
    """The messages of one session, over one connection opened at the first of them."""

    def __init__(self) -> None:
        self.connection: Any = None

    def send(self, delivery: Delivery) -> None:
        """Returns once the relay has accepted the message; raises ChannelUnavailable (try again later) or
        ChannelRejected (never)."""
        notification = delivery.notification
        if notification is None:
            raise ChannelRejected("not a notification")
        recipient = notification.recipient
        if not recipient.email:
            raise ChannelRejected("no e-mail address")
        rendered = texts.render(notification)
        if self.connection is None:
            self.connection = _connection()
        elif isinstance(self.connection, DeadlineSmtpBackend):
            self.connection.deadline_from_now(settings.EMAIL_SEND_DEADLINE_SECONDS)
        message = EmailMultiAlternatives(
            subject=rendered.subject,
            body=rendered.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient.email],
            # The same Message-ID on every attempt: a repeated delivery is recognisable as one message.
            headers={"Message-ID": f"<{delivery.dedupe_key}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"},
            connection=self.connection,
        )
        message.attach_alternative(rendered.html, "text/html")
        try:
            self.connection.open()  # once: an open connection stays open
            sent = message.send()
        except smtplib.SMTPRecipientsRefused as exc:
            self._drop()
            raise ChannelRejected(str(exc)) from exc
        except smtplib.SMTPResponseException as exc:
            self._drop()
            if 500 <= exc.smtp_code < 600:
                raise ChannelRejected(str(exc)) from exc
            raise ChannelUnavailable(str(exc)) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise ChannelUnavailable(str(exc)) from exc
        except BaseException:
            self._drop()
            raise
        if not sent:
            self._drop()
            raise ChannelUnavailable("the mail server did not take the message")

    def _drop(self) -> None:
        """After a failure: the connection's state is unknown (a reply half read, a relay that hung up), so
        its socket is closed without a word and the next message opens a new one."""
        connection, self.connection = self.connection, None
        smtp = getattr(connection, "connection", None)
        if smtp is not None:
            with contextlib.suppress(OSError):
                smtp.close()
            connection.connection = None

    def close(self) -> None:
        """QUIT after the batch: its failure changes nothing (what the relay accepted stays accepted)."""
        connection, self.connection = self.connection, None
        if connection is None:
            return
        smtp = getattr(connection, "connection", None)
        if isinstance(connection, DeadlineSmtpBackend):
            connection.deadline_from_now(settings.EMAIL_TIMEOUT)  # the last message's may be spent
        try:
            connection.close()
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            logger.info("closing the SMTP connection failed after the exchange: %s", exc)
        finally:
            if smtp is not None:
                with contextlib.suppress(OSError):
                    smtp.close()


@contextlib.contextmanager
def session() -> Iterator[Callable[[Delivery], None]]:
    """Send the messages of a batch over one connection, closed when the batch ends."""
    batch = _Batch()
    try:
        yield batch.send
    finally:
        batch.close()
