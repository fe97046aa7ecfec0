"""The demo of `make run` holds coordination requests in every state, and seeding twice changes nothing."""

from __future__ import annotations

import pytest

from cases.models import CoordinationRequest, RequestStatus
from cases.services import requests as services
from deadlines.models import TimelineEntry
from demo.organisation import demo_seed

pytestmark = pytest.mark.django_db


def test_the_demo_holds_requests_in_every_state_once() -> None:
    services.defaults_ensure()
    assert demo_seed() is True
    statuses = set(CoordinationRequest.objects.values_list("status", flat=True))
    assert statuses == set(RequestStatus.values)
    assert CoordinationRequest.objects.filter(closed_automatically=True).exists()
    assert TimelineEntry.objects.filter(kind=TimelineEntry.Kind.ESCALATION).exists()
    count = CoordinationRequest.objects.count()
    assert demo_seed() is False
    assert CoordinationRequest.objects.count() == count
