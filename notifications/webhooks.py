"""Webhooks: events written to the outbox in the transaction of what happened, one `Delivery` per event and
subscription (unique), delivered by the webhook channel (notifications/channels/webhook.py) on a queue of
its own, signed, retried with backoff, recorded attempt by attempt.

The signature: `X-DLA-Signature: t=<unix seconds>,v1=<hex>` where hex is HMAC-SHA256 with the
subscription's secret over `<t>.<body>`. During a rotation's grace period the header carries a second
`v1=` signed with the previous secret, so a receiver that still knows only the old secret (or already only
the new one) accepts every delivery. `X-DLA-Delivery` is the same on every attempt of one delivery: the
receiver drops a repeat by it.

Target URLs (SSRF): https only (plain http only when WEBHOOK_ALLOW_HTTP, for a developer's machine), no
user or password in them, and every address the host resolves to must be a public one unless
WEBHOOK_ALLOW_PRIVATE_ADDRESSES (tests, a receiver on 127.0.0.1). The check runs when a subscription is
saved and again at every send, and the connection goes to the address that was checked (no second DNS
lookup a rebinding could answer differently); redirects are not followed.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Model
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.models import (
    Channel,
    Delivery,
    Subscription,
    WebhookAttempt,
    WebhookEvent,
    WebhookEventKind,
)
from organisation.models import Province, Role
from organisation.selectors.roles import user_scope

SIGNATURE_HEADER = "X-DLA-Signature"
DELIVERY_HEADER = "X-DLA-Delivery"
EVENT_HEADER = "X-DLA-Event"
RESPONSE_EXCERPT_CHARS = 1000


class UnsafeTarget(ValueError):
    """A URL the service refuses to call (its message is for the person who typed it)."""


def secret_new() -> str:
    return secrets.token_hex(32)


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(
    *, subscription: Subscription, timestamp: int, body: bytes, now: datetime.datetime
) -> str:
    parts = [f"t={timestamp}", f"v1={sign(secret=subscription.secret, timestamp=timestamp, body=body)}"]
    if (
        subscription.previous_secret
        and subscription.previous_secret_until is not None
        and now < subscription.previous_secret_until
    ):
        parts.append(f"v1={sign(secret=subscription.previous_secret, timestamp=timestamp, body=body)}")
    return ",".join(parts)


def signature_verify(*, header: str, secret: str, body: bytes, tolerance: int, now: float) -> bool:
    """What a receiver does (tests use it; the README shows it): one of the v1 values matches, and the
    timestamp is recent."""
    timestamp = None
    candidates = []
    for part in header.split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret=secret, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return not ip.is_unspecified and not ip.is_multicast
    return ip.is_global


def target_resolve(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address) for a URL the service may call, or UnsafeTarget saying why not."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeTarget(_("The address is not a valid URL.")) from exc
    scheme = parts.scheme.lower()
    allowed = {"https", "http"} if settings.WEBHOOK_ALLOW_HTTP else {"https"}
    if scheme not in allowed:
        raise UnsafeTarget(_("The address must start with https://."))
    if not parts.hostname:
        raise UnsafeTarget(_("The address has no host name."))
    if parts.username or parts.password:
        raise UnsafeTarget(_("The address must not contain a user name or password."))
    port = port or (443 if scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget(_("The host name of the address cannot be found.")) from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses or not all(_address_allowed(address) for address in addresses):
        raise UnsafeTarget(_("The address points to a private or local network, which is not allowed."))
    return scheme, parts.hostname, port, addresses[0]


@transaction.atomic
def subscription_create(
    *, owner: User, province: Province | None, name: str, url: str, events: list[str], now: datetime.datetime
) -> Subscription:
    target_resolve(url)
    return Subscription.objects.create(
        owner=owner,
        province=province,
        name=name,
        url=url,
        events=sorted(set(events)),
        secret=secret_new(),
        created_at=now,
    )


@transaction.atomic
def subscription_update(
    *, subscription: Subscription, name: str, url: str, events: list[str], is_active: bool
) -> Subscription:
    target_resolve(url)
    subscription.name = name
    subscription.url = url
    subscription.events = sorted(set(events))
    if is_active and not subscription.is_active:
        subscription.consecutive_failures = 0
        subscription.disabled_reason = ""
    subscription.is_active = is_active
    subscription.save()
    return subscription


@transaction.atomic
def subscription_rotate_secret(*, subscription: Subscription, now: datetime.datetime) -> Subscription:
    """A new secret; the old one keeps signing (a second v1) for WEBHOOK_SECRET_GRACE_HOURS."""
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_until = now + datetime.timedelta(hours=settings.WEBHOOK_SECRET_GRACE_HOURS)
    subscription.secret = secret_new()
    subscription.save()
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: Subscription) -> None:
    subscription.delete()


def event_payload(*, kind: str, event_id: str, occurred_at: datetime.datetime, data: dict[str, Any]) -> dict:
    return {"id": event_id, "type": kind, "occurred_at": occurred_at.isoformat(), "data": data}


def object_data(obj: Model | None, **extra: Any) -> dict[str, Any]:
    """What an event says about its object: ids, number, status, province and district codes, its page."""
    data: dict[str, Any] = {}
    if obj is not None:
        data["id"] = obj.pk
        for attribute in ("number", "status"):
            value = getattr(obj, attribute, None)
            if value not in (None, ""):
                data[attribute] = str(value)
        for place in ("province", "district"):
            value = getattr(obj, place, None)
            if value is not None:
                data[place] = {"code": getattr(value, "code", ""), "name": value.name_th}
        url = getattr(obj, "get_absolute_url", None)
        if callable(url):
            data["url"] = settings.SITE_URL + url()
    return {**data, **extra}


def emit(
    *,
    kind: WebhookEventKind,
    province: Province | int | None,
    data: dict[str, Any],
    now: datetime.datetime,
) -> WebhookEvent | None:
    """Write an event and its deliveries in the caller's transaction (the outbox); sent after commit. A
    country-wide subscription gets every event; a province's only its province's (an event of no province,
    a cycle's, goes to every subscription: a cycle is the whole country's). Nobody listening: nothing is
    written."""
    return emit_many(events=[(kind, province, data)], now=now)[0]


def owner_may_listen(subscription: Subscription, on: datetime.date | None = None) -> bool:
    """A subscription sends only while its owner may still subscribe to what it listens to: central staff for
    the country or a province, a provincial head for their province. An owner who has lost the role (moved, or
    retired) sends nothing more: central staff see the subscription and can take it on."""
    scope = user_scope(subscription.owner, on)
    if scope.is_central:
        return True
    heads = scope.provinces_by_role.get(Role.PROVINCIAL_HEAD, frozenset())
    return subscription.province_id is not None and subscription.province_id in heads


def emit_many(
    *,
    events: Iterable[tuple[WebhookEventKind, Province | int | None, dict[str, Any]]],
    now: datetime.datetime,
) -> list[WebhookEvent | None]:
    events = list(events)
    subscriptions = [
        s
        for s in Subscription.objects.filter(is_active=True).select_related("owner")
        if s.events and owner_may_listen(s)
    ]
    written: list[WebhookEvent | None] = []
    deliveries: list[Delivery] = []
    for kind, province, data in events:
        province_id = province.pk if isinstance(province, Province) else province
        listening = [
            s
            for s in subscriptions
            if kind.value in s.events
            and (s.province_id is None or province_id is None or s.province_id == province_id)
        ]
        if not listening:
            written.append(None)
            continue
        event_id = str(uuid.uuid4())
        event = WebhookEvent.objects.create(
            kind=kind.value,
            province_id=province_id,
            occurred_at=now,
            payload=event_payload(kind=kind.value, event_id=event_id, occurred_at=now, data=data),
        )
        written.append(event)
        deliveries.extend(
            Delivery(
                event=event,
                subscription=s,
                channel=Channel.WEBHOOK,
                dedupe_key=f"w{event.pk}-s{s.pk}",
                not_before=now,
            )
            for s in listening
        )
    if deliveries:
        Delivery.objects.bulk_create(deliveries)
        ids = [d.pk for d in deliveries]
        from notifications.services import enqueue

        transaction.on_commit(lambda: enqueue(ids, webhook=True))
    return written


def body_of(delivery: Delivery) -> bytes:
    assert delivery.event is not None
    return json.dumps(
        delivery.event.payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True
    ).encode()


def attempt_record(
    *,
    delivery: Delivery,
    at: datetime.datetime,
    status_code: int | None,
    excerpt: str,
    error: str,
    duration_ms: int,
) -> bool:
    """Log an attempt; count the subscription's failures in a row (a success sets them back to 0). Returns
    True when this failure switched the subscription off (its owner is told)."""
    WebhookAttempt.objects.create(
        delivery=delivery,
        at=at,
        status_code=status_code,
        response_excerpt=excerpt[:RESPONSE_EXCERPT_CHARS],
        error=error[:500],
        duration_ms=duration_ms,
    )
    subscription = delivery.subscription
    assert subscription is not None
    if not error and status_code is not None and 200 <= status_code < 300:
        Subscription.objects.filter(pk=subscription.pk).exclude(consecutive_failures=0).update(
            consecutive_failures=0
        )
        return False
    with transaction.atomic():
        Subscription.objects.filter(pk=subscription.pk).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        switched = Subscription.objects.filter(
            pk=subscription.pk,
            is_active=True,
            consecutive_failures__gte=settings.WEBHOOK_MAX_CONSECUTIVE_FAILURES,
        ).update(
            is_active=False,
            disabled_reason=(error or f"HTTP {status_code}")[:300],
        )
        if switched:
            from notifications.models import Kind
            from notifications.services import notify

            notify(
                recipients=[subscription.owner],
                kind=Kind.WEBHOOK_DISABLED,
                context={
                    "subject": subscription.name,
                    "url": reverse("webhooks:log", args=[subscription.pk]),
                    "failures": settings.WEBHOOK_MAX_CONSECUTIVE_FAILURES,
                },
                now=at,
            )
    return bool(switched)


def retry_after(attempts: int) -> float:
    """Backoff between a delivery's attempts: 10 s, 20 s, 40 s... at most 10 minutes."""
    return float(min(600, 10 * 2 ** max(0, attempts - 1)))
