"""Webhook: an HTTP POST of the event's JSON to the subscription's URL, signed (notifications/webhooks.py).

At least once, the same delivery id on a repeat: `send` returns only when the receiver answered 2xx, and
only then is the delivery recorded sent; a worker that dies before leaves the claim, which the sweep takes
back, and the delivery goes again with the same `X-DLA-Delivery` (the receiver drops the repeat).

A live send never outlasts the claim: the whole exchange (connect, TLS, request, the response's status and
the first bytes of its body) ends within WEBHOOK_SEND_DEADLINE_SECONDS: before each step the socket's
timeout is set to what is left (at most WEBHOOK_TIMEOUT per step). The connection goes to the address
checked by `target_resolve` (SSRF: no second lookup), with the host name for TLS and `Host`; redirects
are not followed. Any answer but 2xx, a timeout or a refused connection is a failure: retried with
backoff (`ChannelUnavailable.retry_after`) up to WEBHOOK_MAX_ATTEMPTS, counted against the subscription,
which is switched off after WEBHOOK_MAX_CONSECUTIVE_FAILURES in a row.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from notifications import webhooks
from notifications.channels.base import ChannelRejected, ChannelUnavailable

if TYPE_CHECKING:
    from notifications.models import Delivery


class _Pinned:
    """Connects to a checked address, not to whatever the host name resolves to now."""

    address: str
    deadline: float
    host: str
    port: int
    sock: socket.socket | None

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the receiver did not answer within the send deadline")
        return min(left, settings.WEBHOOK_TIMEOUT)

    def bound(self) -> None:
        if self.sock is not None:
            self.sock.settimeout(self._left())

    def _raw(self) -> socket.socket:
        return socket.create_connection((self.address, self.port), timeout=self._left())


class _HTTP(_Pinned, http.client.HTTPConnection):
    def connect(self) -> None:
        self.sock = self._raw()


class _HTTPS(_Pinned, http.client.HTTPSConnection):
    def connect(self) -> None:
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self._raw(), server_hostname=self.host)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    scheme, host, port, address = webhooks.target_resolve(url)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection: _HTTP | _HTTPS = (_HTTPS if scheme == "https" else _HTTP)(host, port)
    connection.address = address
    connection.deadline = time.monotonic() + settings.WEBHOOK_SEND_DEADLINE_SECONDS
    try:
        connection.timeout = connection._left()
        connection.request("POST", path, body=body, headers=headers)
        connection.bound()
        response = connection.getresponse()
        connection.bound()
        excerpt = response.read(webhooks.RESPONSE_EXCERPT_CHARS * 4).decode("utf-8", "replace")
        return response.status, excerpt
    finally:
        connection.close()


def send(delivery: Delivery) -> None:
    subscription = delivery.subscription
    if subscription is None or delivery.event is None:
        raise ChannelRejected("not a webhook delivery")
    subscription.refresh_from_db(
        fields=["is_active", "secret", "previous_secret", "previous_secret_until", "url"]
    )
    if not subscription.is_active:
        raise ChannelRejected("the subscription is switched off")
    now = timezone.now()
    body = webhooks.body_of(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "DLA-Coordination-Webhooks/1",
        webhooks.DELIVERY_HEADER: delivery.dedupe_key,
        webhooks.EVENT_HEADER: delivery.event.kind,
        webhooks.SIGNATURE_HEADER: webhooks.signature_header(
            subscription=subscription, timestamp=timestamp, body=body, now=now
        ),
    }
    started = time.monotonic()
    status: int | None = None
    excerpt = error = ""
    try:
        status, excerpt = _post(subscription.url, body, headers)
    except webhooks.UnsafeTarget as exc:
        error = str(exc)
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"
    duration_ms = int((time.monotonic() - started) * 1000)
    switched_off = webhooks.attempt_record(
        delivery=delivery, at=now, status_code=status, excerpt=excerpt, error=error, duration_ms=duration_ms
    )
    if status is not None and 200 <= status < 300 and not error:
        return
    reason = error or f"HTTP {status}"
    if switched_off:
        raise ChannelRejected(f"{reason}; the subscription is switched off")
    if delivery.attempts + 1 >= settings.WEBHOOK_MAX_ATTEMPTS:
        # One the receiver refuses every time while it takes the others: not retried for ever (the
        # admin sends it again once repaired).
        raise ChannelRejected(f"{reason}; given up after {delivery.attempts + 1} attempts")
    raise ChannelUnavailable(reason, retry_after=webhooks.retry_after(delivery.attempts + 1))


@contextlib.contextmanager
def session() -> Iterator[Callable[[Delivery], None]]:
    """One connection per delivery (receivers are many and different): nothing to share in a batch."""
    yield send
