"""Webhooks through a worker killed mid-batch: a receiver on 127.0.0.1 (in this process) checks every
signature and counts the deliveries by their id. Every event reaches every subscription that listens to
it (and no other), once after the receiver drops repeats by X-DLA-Delivery; a repeat happens only for what
was in flight at the kill, with the same id."""

from __future__ import annotations

import datetime
import http.server
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from notifications import webhooks
from notifications.models import Delivery, Subscription, WebhookEventKind
from notifications.services import deliveries_sweep
from organisation.models import Province, Role, Unit
from tests.factories import OfficerFactory, UserFactory, give_role
from tests.integration.processes import RedisServer, Worker, celery_broker

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@dataclass
class Receiver:
    secrets: dict[str, str] = field(default_factory=dict)  # path -> the subscription's secret
    ids: list[str] = field(default_factory=list)  # X-DLA-Delivery, in the order received
    events: dict[str, set[str]] = field(default_factory=dict)  # path -> the event ids kept (repeats dropped)
    bad_signatures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def wait_for(self, count: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.ids) < count:
            time.sleep(0.02)
        return len(self.ids)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ok = webhooks.signature_verify(
                header=self.headers.get("X-DLA-Signature", ""),
                secret=state.secrets.get(self.path, ""),
                body=body,
                tolerance=300,
                now=time.time(),
            )
            delivery_id = self.headers["X-DLA-Delivery"]
            time.sleep(0.02)  # a receiver's work: the kill lands mid-batch
            with state.lock:
                if not ok:
                    state.bad_signatures.append(delivery_id)
                state.ids.append(delivery_id)
                if state.ids.count(delivery_id) == 1:  # what a receiver does with a repeat: drop it
                    state.events.setdefault(self.path, set()).add(json.loads(body)["id"])
            self.send_response(200 if ok else 401)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def wait_until_all_sent(total: int, *, timeout: float, worker: Worker) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Delivery.objects.filter(status=Delivery.Status.SENT).count() >= total:
            return
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited with {worker.process.returncode}:\n{worker.output()}")
        time.sleep(0.1)
    counts = dict(Delivery.objects.values_list("status").annotate(n=Count("pk")))
    pytest.fail(f"not all {total} deliveries SENT within {timeout} s: {counts}\n{worker.output()}")


def test_a_worker_killed_mid_batch_then_every_event_reaches_each_subscription_once(
    private_redis: RedisServer, receiver: Receiver, workers: Callable[..., Worker]
) -> None:
    chiang_mai, lamphun = Province.objects.get(code="50"), Province.objects.get(code="51")
    owner = UserFactory(username="central.hooks")  # central staff: their subscriptions send
    give_role(
        OfficerFactory(user=owner, province=None),
        Role.CENTRAL_STAFF,
        unit=Unit.objects.get(kind=Unit.Kind.COORDINATION_CENTRE),
    )
    now = timezone.now()
    subscriptions = {}
    for path, province in (("/country", None), ("/chiang-mai", chiang_mai)):
        subscription = webhooks.subscription_create(
            owner=owner,
            province=province,
            name=path,
            url=receiver.url + path,
            events=[WebhookEventKind.REQUEST_SENT, WebhookEventKind.REPORT_SUBMITTED],
            now=now,
        )
        receiver.secrets[path] = subscription.secret
        subscriptions[path] = subscription
    concurrency = 2
    with celery_broker(private_redis.url):
        first = workers(broker_url=private_redis.url, pool="prefork", concurrency=concurrency)
        first.wait_ready()
        with transaction.atomic():  # enqueued on commit, in tasks of 20
            written = webhooks.emit_many(
                events=[
                    (
                        WebhookEventKind.REQUEST_SENT if i % 2 else WebhookEventKind.REPORT_SUBMITTED,
                        chiang_mai if i < 100 else lamphun,
                        {"id": i, "number": f"ปส. {i + 1}/2569"},
                    )
                    for i in range(150)
                ],
                now=now,
            )
        total = Delivery.objects.count()
        assert total == 150 + 100  # the country's subscription hears all, Chiang Mai's only its own

        seen = receiver.wait_for(40, timeout=60)
        first.kill()
        at_kill = set(receiver.ids)
        assert 40 <= seen <= len(at_kill) < total, f"killed after {len(at_kill)} of {total}: not mid-batch"
        status = dict(Delivery.objects.values_list("dedupe_key", "status"))
        sent = {key for key, value in status.items() if value == Delivery.Status.SENT}
        in_flight = {key for key, value in status.items() if value == Delivery.Status.SENDING}
        assert sent <= at_kill  # recorded only after the receiver's 2xx
        assert at_kill - sent <= in_flight and len(in_flight) <= concurrency

        waited = max(settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS, settings.NOTIFICATION_SWEEP_AFTER_SECONDS)
        deliveries_sweep(now=timezone.now() + datetime.timedelta(seconds=waited + 1))
        second = workers(broker_url=private_redis.url, pool="prefork", concurrency=concurrency)
        wait_until_all_sent(total, timeout=90, worker=second)
        second.stop()

    counts = Counter(receiver.ids)
    repeats = {key: n for key, n in counts.items() if n > 1}
    print(f"killed at {len(at_kill)} of {total}; in flight {len(in_flight)}; repeated {len(repeats)}")
    assert not receiver.bad_signatures
    assert set(counts) == set(Delivery.objects.values_list("dedupe_key", flat=True))  # none lost
    assert set(repeats) <= in_flight and all(n == 2 for n in repeats.values())  # same id, once more
    event_ids = {e.pk: e.payload["id"] for e in written if e is not None}
    assert receiver.events["/country"] == set(event_ids.values())  # every event, once
    assert receiver.events["/chiang-mai"] == {
        event.payload["id"] for event in written if event is not None and event.province_id == chiang_mai.pk
    }
    assert not Subscription.objects.filter(consecutive_failures__gt=0).exists()
