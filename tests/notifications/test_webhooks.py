"""Webhooks: signed, scoped to a province, once per event and subscription, retried with backoff, logged,
switched off after failures in a row (its owner told), and never sent to a private address."""

from __future__ import annotations

import datetime
import http.server
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications import texts, webhooks
from notifications.models import (
    Channel,
    Delivery,
    Kind,
    Notification,
    Subscription,
    WebhookAttempt,
    WebhookEventKind,
)
from notifications.services import deliveries_send, deliveries_sweep
from organisation.models import Province, Role, Unit
from tests.factories import OfficerFactory, UserFactory, give_role

NOW = datetime.datetime(2026, 6, 8, 2, 0, tzinfo=datetime.UTC)


@dataclass
class Receiver:
    """An HTTP receiver on 127.0.0.1 that answers `status` and keeps what it got."""

    url: str
    status: list[int]
    received: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="", status=[200])

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append({"headers": dict(self.headers), "body": body, "path": self.path})
            code = state.status[0] if len(state.status) == 1 else state.status.pop(0)
            self.send_response(code)
            self.end_headers()
            self.wfile.write(b"receiver says " + str(code).encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks?source=dla"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def central_staff() -> User:
    user = UserFactory(email="owner@dla.go.th")
    officer = OfficerFactory(user=user, province=None)
    give_role(officer, Role.CENTRAL_STAFF, unit=Unit.objects.get(kind=Unit.Kind.COORDINATION_CENTRE))
    return user  # type: ignore[no-any-return]


def subscribe(
    url: str, *, province: Province | None = None, events: list[str] | None = None, owner: User | None = None
) -> Subscription:
    return webhooks.subscription_create(
        owner=owner or central_staff(),
        province=province,
        name="ระบบสารบรรณ",
        url=url,
        events=events or [k.value for k in WebhookEventKind],
        now=NOW,
    )


def emit(kind: WebhookEventKind = WebhookEventKind.REQUEST_SENT, province: Province | None = None) -> None:
    webhooks.emit(kind=kind, province=province, data={"id": 1, "number": "ปส.ชม. 1/2569"}, now=NOW)


# Signing


def test_the_signature_is_hmac_sha256_over_the_timestamp_and_the_body(db: None) -> None:
    subscription = Subscription(secret="new-secret", previous_secret="", created_at=NOW)
    body = b'{"type":"request.sent"}'

    header = webhooks.signature_header(subscription=subscription, timestamp=1780000000, body=body, now=NOW)

    assert header.startswith("t=1780000000,v1=")
    assert header.count("v1=") == 1
    assert webhooks.signature_verify(
        header=header, secret="new-secret", body=body, tolerance=300, now=1780000000
    )
    assert not webhooks.signature_verify(
        header=header, secret="new-secret", body=body + b" ", tolerance=300, now=1780000000
    )
    assert not webhooks.signature_verify(
        header=header, secret="other", body=body, tolerance=300, now=1780000000
    )
    assert not webhooks.signature_verify(  # a replay an hour later
        header=header, secret="new-secret", body=body, tolerance=300, now=1780003600
    )


def test_during_a_rotation_both_secrets_sign_and_after_the_grace_period_only_the_new_one(db: None) -> None:
    subscription = Subscription(secret="old-secret", created_at=NOW)
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_until = NOW + datetime.timedelta(hours=24)
    subscription.secret = "new-secret"
    body = b"{}"

    during = webhooks.signature_header(subscription=subscription, timestamp=1, body=body, now=NOW)
    after = webhooks.signature_header(
        subscription=subscription, timestamp=1, body=body, now=NOW + datetime.timedelta(hours=25)
    )

    assert during.count("v1=") == 2
    for secret in ("old-secret", "new-secret"):
        assert webhooks.signature_verify(header=during, secret=secret, body=body, tolerance=10, now=1)
    assert after.count("v1=") == 1
    assert webhooks.signature_verify(header=after, secret="new-secret", body=body, tolerance=10, now=1)
    assert not webhooks.signature_verify(header=after, secret="old-secret", body=body, tolerance=10, now=1)


def test_rotating_keeps_the_old_secret_for_the_grace_period(db: None, settings: Any) -> None:
    settings.WEBHOOK_SECRET_GRACE_HOURS = 24
    subscription = subscribe("http://127.0.0.1:9/")
    old = subscription.secret

    webhooks.subscription_rotate_secret(subscription=subscription, now=NOW)

    subscription.refresh_from_db()
    assert subscription.secret != old and len(subscription.secret) == 64
    assert subscription.previous_secret == old
    assert subscription.previous_secret_until == NOW + datetime.timedelta(hours=24)


# Target URLs (SSRF)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://93.184.216.34/hook", "https"),
        ("ftp://93.184.216.34/hook", "https"),
        ("https://127.0.0.1/hook", "private"),
        ("https://localhost/hook", "private"),
        ("https://10.1.2.3/hook", "private"),
        ("https://192.168.1.10/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "private"),
        ("https://[::1]/hook", "private"),
        ("https://0.0.0.0/hook", "private"),
        ("https://user:pass@93.184.216.34/hook", "password"),
        ("https:///hook", "host"),
    ],
)
def test_a_target_that_is_not_https_or_not_public_is_refused(settings: Any, url: str, why: str) -> None:
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    with pytest.raises(webhooks.UnsafeTarget) as refused:
        webhooks.target_resolve(url)

    # in the user's language (Thai first)
    words = {"https": "https://", "private": "เครือข่ายภายใน", "password": "รหัสผ่าน", "host": "โฮสต์"}
    assert words[why] in str(refused.value)


def test_a_public_https_target_is_accepted_and_called_at_the_address_checked(settings: Any) -> None:
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    assert webhooks.target_resolve("https://93.184.216.34/hook") == (
        "https",
        "93.184.216.34",
        443,
        "93.184.216.34",
    )


def test_a_subscription_to_a_private_address_is_not_saved(db: None, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    with pytest.raises(webhooks.UnsafeTarget):
        subscribe("https://127.0.0.1/hook")
    assert not Subscription.objects.exists()


# Writing the events


def test_a_province_subscription_gets_only_its_province_events_and_a_country_one_gets_all(
    chiang_mai: Province, lamphun: Province
) -> None:
    country = subscribe("http://127.0.0.1:9/")
    cm = subscribe("http://127.0.0.1:9/", province=chiang_mai)
    lp = subscribe("http://127.0.0.1:9/", province=lamphun)

    emit(province=chiang_mai)
    emit(WebhookEventKind.CYCLE_OPENED, province=None)  # a cycle is the whole country's

    got = {
        s.pk: sorted(Delivery.objects.filter(subscription=s).values_list("event__kind", flat=True))
        for s in (country, cm, lp)
    }
    assert got[country.pk] == ["cycle.opened", "request.sent"]
    assert got[cm.pk] == ["cycle.opened", "request.sent"]
    assert got[lp.pk] == ["cycle.opened"]
    assert set(Delivery.objects.values_list("channel", flat=True)) == {Channel.WEBHOOK}


def test_only_the_events_subscribed_to_and_only_active_subscriptions(db: None) -> None:
    answered = subscribe("http://127.0.0.1:9/", events=[WebhookEventKind.REQUEST_ANSWERED])
    off = subscribe("http://127.0.0.1:9/")
    Subscription.objects.filter(pk=off.pk).update(is_active=False)

    emit(WebhookEventKind.REQUEST_SENT)
    emit(WebhookEventKind.REQUEST_ANSWERED)

    assert list(Delivery.objects.values_list("subscription", "event__kind")) == [
        (answered.pk, "request.answered")
    ]


def test_an_event_is_delivered_once_per_subscription(db: None) -> None:
    subscription = subscribe("http://127.0.0.1:9/")
    emit()
    delivery = Delivery.objects.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            event=delivery.event,
            subscription=subscription,
            channel=Channel.WEBHOOK,
            dedupe_key="another-key",
            not_before=NOW,
        )


def test_an_event_nobody_listens_to_writes_nothing(db: None) -> None:
    emit()
    assert not Delivery.objects.exists()


# Sending


def test_a_delivery_reaches_the_receiver_signed_with_its_id_and_is_logged(
    db: None, receiver: Receiver
) -> None:
    subscription = subscribe(receiver.url)
    emit()
    delivery = Delivery.objects.get()

    outcome = deliveries_send(delivery_ids=[delivery.pk])

    assert outcome["sent"] == [delivery.pk]
    [got] = receiver.received
    assert got["path"] == "/hooks?source=dla"
    assert got["headers"]["X-DLA-Delivery"] == delivery.dedupe_key
    assert got["headers"]["X-DLA-Event"] == "request.sent"
    assert webhooks.signature_verify(
        header=got["headers"]["X-DLA-Signature"],
        secret=subscription.secret,
        body=got["body"],
        tolerance=300,
        now=time.time(),
    )
    payload = json.loads(got["body"])
    assert payload["type"] == "request.sent" and payload["data"]["number"] == "ปส.ชม. 1/2569"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    attempt = WebhookAttempt.objects.get()
    assert (attempt.status_code, attempt.response_excerpt, attempt.error) == (200, "receiver says 200", "")


def test_a_failure_is_retried_after_a_backoff_with_the_same_delivery_id(db: None, receiver: Receiver) -> None:
    receiver.status = [500, 200]
    subscribe(receiver.url)
    emit()
    delivery = Delivery.objects.get()

    first = deliveries_send(delivery_ids=[delivery.pk])
    delivery.refresh_from_db()
    waited = delivery.not_before - timezone.now()
    too_soon = deliveries_send(delivery_ids=[delivery.pk])

    assert first["unavailable"] == [delivery.pk]
    assert delivery.status == Delivery.Status.PENDING and "HTTP 500" in delivery.last_error
    assert datetime.timedelta(seconds=8) < waited <= datetime.timedelta(seconds=10)
    assert too_soon["skipped"] == [delivery.pk]  # the backoff holds, for the task's retry and the sweep
    assert deliveries_sweep(now=timezone.now()) == 0

    Delivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now())
    second = deliveries_send(delivery_ids=[delivery.pk])

    assert second["sent"] == [delivery.pk]
    assert [r["headers"]["X-DLA-Delivery"] for r in receiver.received] == [delivery.dedupe_key] * 2
    assert list(WebhookAttempt.objects.order_by("pk").values_list("status_code", flat=True)) == [500, 200]
    assert Subscription.objects.get().consecutive_failures == 0


def test_after_failures_in_a_row_the_subscription_is_switched_off_and_its_owner_told(
    db: None, receiver: Receiver, settings: Any
) -> None:
    settings.WEBHOOK_MAX_CONSECUTIVE_FAILURES = 3
    receiver.status = [503]
    owner = central_staff()
    subscription = subscribe(receiver.url, owner=owner)
    for _ in range(3):
        emit()
    ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))

    outcome = deliveries_send(delivery_ids=ids)

    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.consecutive_failures == 3
    assert subscription.disabled_reason == "HTTP 503"
    assert outcome["unavailable"] == ids[:2] and outcome["failed"] == ids[2:]
    notice = Notification.objects.get(recipient=owner, kind=Kind.WEBHOOK_DISABLED)
    rendered = texts.render(notice)
    assert "ปิดเว็บฮุกแล้ว: ระบบสารบรรณ" in rendered.subject
    assert f"/webhooks/{subscription.pk}/log/" in rendered.body
    # what waits is not sent to a subscription switched off
    Delivery.objects.filter(pk__in=ids[:2]).update(not_before=timezone.now())
    assert deliveries_send(delivery_ids=ids[:2])["failed"] == ids[:2]
    assert len(receiver.received) == 3


def test_a_delivery_refused_every_time_is_given_up_after_its_last_attempt(
    db: None, receiver: Receiver, settings: Any
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.status = [400]
    subscribe(receiver.url)
    emit()
    delivery = Delivery.objects.get()

    assert deliveries_send(delivery_ids=[delivery.pk])["unavailable"] == [delivery.pk]
    Delivery.objects.filter(pk=delivery.pk).update(not_before=timezone.now())
    assert deliveries_send(delivery_ids=[delivery.pk])["failed"] == [delivery.pk]

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and "given up after 2 attempts" in delivery.last_error
    assert Subscription.objects.get().is_active  # the subscription itself stays on


def test_a_receiver_that_hangs_fails_the_attempt_within_the_send_deadline(db: None, settings: Any) -> None:
    import socket

    settings.WEBHOOK_SEND_DEADLINE_SECONDS = 1
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()  # accepts, never answers
    try:
        subscribe(f"http://127.0.0.1:{listener.getsockname()[1]}/")
        emit()
        delivery = Delivery.objects.get()
        started = time.monotonic()
        outcome = deliveries_send(delivery_ids=[delivery.pk])
        took = time.monotonic() - started
    finally:
        listener.close()

    assert outcome["unavailable"] == [delivery.pk]
    assert took < 3
    assert "timed out" in WebhookAttempt.objects.get().error


def test_the_send_deadline_stays_below_the_claim_timeout(settings: Any) -> None:
    assert settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS >= settings.WEBHOOK_SEND_DEADLINE_SECONDS + 10


def test_a_subscription_whose_owner_lost_the_right_to_it_sends_nothing(chiang_mai: Province) -> None:
    """A provincial head's subscription lives with the role: moved or retired, the head's system gets nothing
    more of the province; central staff's subscriptions go on."""
    head_user = UserFactory(email="head@dla.go.th")
    head = OfficerFactory(user=head_user, province=chiang_mai)
    role = give_role(head, Role.PROVINCIAL_HEAD, province=chiang_mai)
    heads = subscribe("http://127.0.0.1:9/", province=chiang_mai, owner=head_user)
    country = subscribe("http://127.0.0.1:9/")

    emit(province=chiang_mai)
    assert Delivery.objects.filter(subscription=heads).count() == 1

    role.end_date = datetime.date(2021, 1, 1)
    role.save()
    emit(province=chiang_mai)
    assert Delivery.objects.filter(subscription=heads).count() == 1  # nothing more
    assert Delivery.objects.filter(subscription=country).count() == 2
