"""The e-mail channel against a real SMTP server (tests/integration/smtp_sink.py, in this process): a
delivery counts as sent only once the relay accepted the message, and a send never outlives its claim."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connections
from django.test import override_settings

from notifications.channels import ChannelUnavailable
from notifications.models import Delivery, Kind
from notifications.services import deliveries_send, deliveries_sweep, delivery_send, notify
from tests.factories import OfficerFactory
from tests.integration.smtp_sink import SmtpSink
from workdays.calendar import BANGKOK

pytestmark = pytest.mark.django_db

TUESDAY_10 = datetime.datetime(2026, 4, 21, 10, 0, tzinfo=BANGKOK)


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink().start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=server.host,
            EMAIL_PORT=server.port,
            EMAIL_USE_TLS=False,
            EMAIL_TIMEOUT=10,
        ):
            yield server
    finally:
        server.stop()


@pytest.fixture
def delivery() -> Delivery:
    reader = OfficerFactory(email="reader@dla.go.th", user__email="reader@dla.go.th").user
    notify(recipients=[reader], kind=Kind.TASK_ASSIGNED, context={"subject": "ปส.ชม. 1/2569"}, now=TUESDAY_10)
    return Delivery.objects.get()


def test_a_message_the_relay_accepted_is_recorded_sent_with_its_message_id(
    sink: SmtpSink, delivery: Delivery
) -> None:
    assert delivery_send(delivery_id=delivery.pk, now=TUESDAY_10) == "sent"

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert sink.message_ids == [f"<{delivery.dedupe_key}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"]


@pytest.mark.django_db(transaction=True)
def test_the_delivery_is_not_recorded_sent_before_the_relay_has_answered_the_final_dot(
    sink: SmtpSink, delivery: Delivery
) -> None:
    """A worker killed at that moment would otherwise leave a SENT row for a message never accepted."""
    seen: list[str] = []

    def at_the_final_dot(message: bytes) -> None:  # in the relay's thread, on a connection of its own
        try:
            seen.append(Delivery.objects.get(pk=delivery.pk).status)
        finally:
            connections.close_all()

    sink.on_final_dot = at_the_final_dot

    assert delivery_send(delivery_id=delivery.pk, now=TUESDAY_10) == "sent"

    assert seen == [Delivery.Status.SENDING]  # claimed, not yet recorded: a kill now means "send again"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_a_message_the_relay_refused_at_the_final_dot_is_not_recorded_sent_and_goes_again(
    sink: SmtpSink, delivery: Delivery
) -> None:
    sink.final_reply = "451 4.3.0 try again later"

    with pytest.raises(ChannelUnavailable):
        delivery_send(delivery_id=delivery.pk, now=TUESDAY_10)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING  # not lost: the retry or the sweep sends it
    assert "451" in delivery.last_error
    assert sink.count == 0

    sink.final_reply = "250 OK: queued"
    assert delivery_send(delivery_id=delivery.pk, now=TUESDAY_10) == "sent"
    assert sink.message_ids == [f"<{delivery.dedupe_key}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"]


def test_a_relay_slower_than_the_send_deadline_fails_the_attempt_before_the_claim_can_expire(
    sink: SmtpSink, delivery: Delivery
) -> None:
    sink.reply_delay = 0.4  # each of the ~6 replies: 2.4 s for the exchange
    started = time.monotonic()

    with override_settings(EMAIL_SEND_DEADLINE_SECONDS=1), pytest.raises(ChannelUnavailable):
        delivery_send(delivery_id=delivery.pk, now=TUESDAY_10)

    # Bounded by the deadline, not by EMAIL_TIMEOUT (10 s) per step.
    assert time.monotonic() - started < 1 + 5
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert sink.count == 0


def test_a_claim_left_by_a_dead_worker_is_taken_back_after_the_claim_timeout_and_not_before(
    delivery: Delivery,
) -> None:
    Delivery.objects.update(status=Delivery.Status.SENDING, claimed_at=TUESDAY_10)
    timeout = datetime.timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS)

    deliveries_sweep(now=TUESDAY_10 + timeout - datetime.timedelta(seconds=1))
    assert Delivery.objects.get().status == Delivery.Status.SENDING  # a live send is never taken back

    deliveries_sweep(now=TUESDAY_10 + timeout + datetime.timedelta(seconds=1))
    assert Delivery.objects.get().status == Delivery.Status.PENDING
    assert settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS <= 60  # a killed delivery goes again within a minute


def test_the_settings_refuse_a_claim_timeout_that_a_live_send_could_outlast() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DEBUG": "1",
        "EMAIL_SEND_DEADLINE_SECONDS": "30",
        "NOTIFICATION_CLAIM_TIMEOUT_SECONDS": "35",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "NOTIFICATION_CLAIM_TIMEOUT_SECONDS must exceed EMAIL_SEND_DEADLINE_SECONDS" in result.stderr


@pytest.fixture
def twenty(db: None) -> list[int]:
    """A batch as the queue hands it to a worker: twenty deliveries, one person each."""
    readers = [
        OfficerFactory(email=f"reader{i}@dla.go.th", user__email=f"reader{i}@dla.go.th").user
        for i in range(20)
    ]
    for i, reader in enumerate(readers):
        notify(
            recipients=[reader],
            kind=Kind.TASK_ASSIGNED,
            context={"subject": f"ปส.ชม. {i}/2569"},
            now=TUESDAY_10,
        )
    return list(Delivery.objects.order_by("pk").values_list("pk", flat=True))


def message_ids(ids: list[int]) -> list[str]:
    keys = Delivery.objects.filter(pk__in=ids).order_by("pk").values_list("dedupe_key", flat=True)
    return [f"<{key}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>" for key in keys]


def test_a_batch_of_twenty_emails_goes_over_one_smtp_connection(sink: SmtpSink, twenty: list[int]) -> None:
    outcome = deliveries_send(delivery_ids=twenty, now=TUESDAY_10)

    assert outcome["sent"] == twenty
    assert sink.connections == 1  # one greeting, one EHLO: not twenty
    assert sink.message_ids == message_ids(twenty)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 20


def test_after_a_message_fails_the_rest_of_the_batch_goes_over_a_new_connection(
    sink: SmtpSink, twenty: list[int]
) -> None:
    """The third message is refused for now (451): it goes back to pending; the connection is not trusted
    with the fourth, which opens a new one; every other message is sent once."""
    dots = 0

    def third_refused(message: bytes) -> None:
        nonlocal dots
        dots += 1
        sink.final_reply = "451 4.3.0 try again later" if dots == 3 else "250 OK: queued"

    sink.on_final_dot = third_refused

    outcome = deliveries_send(delivery_ids=twenty, now=TUESDAY_10)

    assert outcome["unavailable"] == [twenty[2]]
    assert outcome["sent"] == twenty[:2] + twenty[3:]
    assert sink.connections == 2
    assert sink.message_ids == message_ids(twenty[:2] + twenty[3:])
    assert Delivery.objects.get(pk=twenty[2]).status == Delivery.Status.PENDING


def test_each_message_of_a_batch_has_the_send_deadline_to_itself(sink: SmtpSink, twenty: list[int]) -> None:
    """A slow relay: the batch of five takes longer than the send deadline, each message within it."""
    sink.reply_delay = (
        0.2  # a new connection: 0.4 s (greeting, EHLO); each message 0.8 s (MAIL, RCPT, DATA, dot)
    )

    with override_settings(EMAIL_SEND_DEADLINE_SECONDS=2):
        outcome = deliveries_send(delivery_ids=twenty[:5], now=TUESDAY_10)

    assert outcome["sent"] == twenty[:5]
    assert sink.connections == 1
