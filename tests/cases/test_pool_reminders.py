"""A request waiting unclaimed in a central unit's pool reminds the pool's members, and overdue tells them."""

from __future__ import annotations

import datetime

import time_machine

from cases.services import requests as services
from deadlines.models import Deadline
from deadlines.services.deadlines import due_actions_fire
from notifications.models import Kind, Notification
from tests.coordination import Org, sent_request
from tests.flows.test_coordination_flow import open_task


def test_an_unclaimed_pool_request_reminds_the_desk_and_tells_it_when_overdue(
    org: Org, clock: time_machine.Traveller
) -> None:
    request = sent_request(org)
    services.request_route(request=request, task_id=open_task(request).pk, by=org.director)
    deadline = Deadline.objects.get(step="coordination.answer", status=Deadline.Status.OPEN)
    desk = {org.desk.pk, org.desk2.pk}

    due_actions_fire(now=deadline.due_at - datetime.timedelta(hours=7))  # the morning of the deadline
    reminded = set(Notification.objects.filter(kind=Kind.DUE_SOON).values_list("recipient", flat=True))
    due_actions_fire(now=deadline.due_at + datetime.timedelta(minutes=1))
    overdue = set(Notification.objects.filter(kind=Kind.OVERDUE).values_list("recipient", flat=True))

    assert deadline.unit == org.bureau
    assert desk <= reminded
    assert desk <= overdue
    assert org.other_desk.pk not in reminded | overdue


def test_once_claimed_only_the_claimer_is_reminded(org: Org, clock: time_machine.Traveller) -> None:
    request = sent_request(org)
    services.request_route(request=request, task_id=open_task(request).pk, by=org.director)
    services.request_claim(request=request, task_id=open_task(request).pk, by=org.desk)
    deadline = Deadline.objects.get(step="coordination.answer", status=Deadline.Status.OPEN)

    due_actions_fire(now=deadline.due_at - datetime.timedelta(hours=7))

    reminded = set(Notification.objects.filter(kind=Kind.DUE_SOON).values_list("recipient", flat=True))
    assert reminded == {org.desk.pk}
