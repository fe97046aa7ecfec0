"""E-mail: the console backend locally, SMTP from settings in production.

Once per notification, even when the worker dies mid-send: an SMTP server takes a message only when it
receives the final "." of DATA, so the delivery is recorded as sent in the instant before that dot. A
worker that dies earlier leaves an unfinished SMTP transaction, which the server discards, and a claimed
row, which the sweep takes back and sends again; one that dies later has recorded the send.
"""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from notifications import texts
from notifications.channels.base import ChannelRejected, ChannelUnavailable

if TYPE_CHECKING:
    from notifications.models import Delivery


class _SMTP(smtplib.SMTP):
    """smtplib.SMTP with a hook run just before the final dot of DATA."""

    before_final_dot: Callable[[], None] | None = None

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        if isinstance(msg, str):
            msg = smtplib._fix_eols(msg).encode("ascii")  # type: ignore[attr-defined]
        quoted = smtplib._quote_periods(msg)  # type: ignore[attr-defined]
        if quoted[-2:] != smtplib.bCRLF:
            quoted += smtplib.bCRLF
        self.send(quoted)
        if self.before_final_dot is not None:
            self.before_final_dot()
        self.send(b"." + smtplib.bCRLF)
        return self.getreply()


class _SMTP_SSL(smtplib.SMTP_SSL, _SMTP):
    pass


class OnceSmtpBackend(SmtpBackend):
    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return _SMTP_SSL if self.use_ssl else _SMTP

    def open(self) -> bool | None:
        opened = super().open()
        sock = getattr(self.connection, "sock", None)
        if sock is not None:
            # The final dot is a 3-byte write after the commit: send it at once, not after Nagle's delay.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return opened


def _connection(commit: Callable[[], None]) -> Any:
    if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
        backend = OnceSmtpBackend(timeout=settings.EMAIL_TIMEOUT, fail_silently=False)
        backend.open()
        backend.connection.before_final_dot = commit  # type: ignore[union-attr]
        return backend
    # Local backends (console, file, memory) deliver in one step: record, then hand over.
    commit()
    return get_connection(fail_silently=False)


def send(delivery: Delivery, commit: Callable[[], None]) -> None:
    notification = delivery.notification
    recipient = notification.recipient
    if not recipient.email:
        raise ChannelRejected("no e-mail address")
    rendered = texts.render(notification)
    try:
        connection = _connection(commit)
        message = EmailMultiAlternatives(
            subject=rendered.subject,
            body=rendered.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient.email],
            # The same Message-ID on every attempt: a repeated delivery is recognisable as one message.
            headers={"Message-ID": f"<{delivery.dedupe_key}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"},
            connection=connection,
        )
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
        if "connection" in locals() and hasattr(connection, "close"):
            connection.close()
    if not sent:
        raise ChannelUnavailable("the mail server did not take the message")
