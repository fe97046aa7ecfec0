"""A service told `now` opens the tasks of its step at that moment: no clock of the demo's in the services."""

from __future__ import annotations

import datetime

from cases.services import requests as services
from deadlines.models import Deadline
from tests.coordination import MONDAY_MORNING, Org, fresh, request_input

FRIDAY_BEFORE = MONDAY_MORNING - datetime.timedelta(days=3)  # the clock of the tests stays on Monday


def open_deadline() -> Deadline:
    return Deadline.objects.get(status=Deadline.Status.OPEN)


def test_a_request_sent_and_routed_at_given_moments_opens_each_task_at_its_moment(org: Org) -> None:
    draft = services.request_save_draft(by=org.officer, data=request_input(org), now=FRIDAY_BEFORE)
    request = services.request_send(request=draft, by=org.officer, now=FRIDAY_BEFORE)
    assert open_deadline().started_at == FRIDAY_BEFORE

    routed_at = FRIDAY_BEFORE + datetime.timedelta(hours=2)
    services.request_route(
        request=fresh(request), task_id=fresh(request).current_task_id, by=org.director, now=routed_at
    )
    assert open_deadline().started_at == routed_at
