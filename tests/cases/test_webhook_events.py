"""A request's life reaches the subscribed systems: sent, routed, answered, closed; a province's
subscription hears only its province's requests, and an escalation fired is an event too."""

from __future__ import annotations

import datetime

from cases.services import requests as services
from deadlines.models import Deadline
from deadlines.services.deadlines import due_actions_fire
from notifications import webhooks
from notifications.models import Delivery, Subscription, WebhookEventKind
from tests.coordination import Org, fresh, sent_request
from tests.flows.test_coordination_flow import open_task


def _subscribe(org: Org, province: object = None) -> Subscription:
    return webhooks.subscription_create(
        owner=org.central,
        province=province,  # type: ignore[arg-type]
        name="INFO",
        url="http://127.0.0.1:9/",
        events=[k.value for k in WebhookEventKind],
        now=datetime.datetime(2026, 6, 8, tzinfo=datetime.UTC),
    )


def _kinds(subscription: Subscription) -> list[str]:
    return list(
        Delivery.objects.filter(subscription=subscription)
        .order_by("pk")
        .values_list("event__kind", flat=True)
    )


def test_a_request_sent_routed_answered_and_closed_is_four_events_for_its_province(org: Org) -> None:
    country = _subscribe(org)
    chiang_mai = _subscribe(org, org.chiang_mai)
    lamphun = _subscribe(org, org.lamphun)

    request = sent_request(org)
    services.request_route(request=request, task_id=open_task(request).pk, by=org.director)
    task = open_task(fresh(request))
    services.request_claim(request=fresh(request), task_id=task.pk, by=org.desk)
    services.request_answer(request=fresh(request), task_id=task.pk, by=org.desk, answer="เบิกจ่ายได้")
    services.request_accept(request=fresh(request), task_id=open_task(fresh(request)).pk, by=org.officer)

    expected = ["request.sent", "request.routed", "request.answered", "request.closed"]
    assert _kinds(country) == expected
    assert _kinds(chiang_mai) == expected
    assert _kinds(lamphun) == []
    payload = Delivery.objects.filter(subscription=country).first().event.payload
    assert payload["data"]["number"] == fresh(request).number
    assert payload["data"]["province"]["code"] == "50"


def test_an_escalation_fired_is_an_event(org: Org) -> None:
    subscription = _subscribe(org)
    request = sent_request(org)
    deadline = Deadline.objects.get(status=Deadline.Status.OPEN, case_id=request.pk)

    due_actions_fire(now=deadline.due_at + datetime.timedelta(days=10))

    assert "escalation.fired" in _kinds(subscription)
    event = Delivery.objects.filter(subscription=subscription, event__kind="escalation.fired").first().event
    assert event.province_id == org.chiang_mai.pk and event.payload["data"]["level"] >= 1
