"""The demo of `make run` holds coordination requests in every state, and seeding twice changes nothing."""

from __future__ import annotations

import pytest
from django.db import models

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


def test_the_demo_has_a_year_of_requests_behind_the_monitoring_pages() -> None:
    import datetime

    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    from deadlines.models import Deadline, ScheduledAction
    from demo.request_history import demo_request_history_seed

    services.defaults_ensure()
    demo_seed()
    live = CoordinationRequest.objects.count()
    created = demo_request_history_seed()
    assert created > 100
    assert CoordinationRequest.objects.count() == live + created
    history = CoordinationRequest.objects.filter(process__isnull=True).exclude(status=RequestStatus.DRAFT)
    months = set(history.annotate(m=TruncMonth("sent_at")).values_list("m", flat=True))
    assert len(months) >= 10  # a year of shapes, month by month
    assert history.filter(sent_at__lt=timezone.now() - datetime.timedelta(days=300)).exists()
    assert {RequestStatus.CLOSED, RequestStatus.REJECTED, RequestStatus.WITHDRAWN} <= set(
        history.values_list("status", flat=True)
    )
    assert history.filter(reopened=True).exists() and history.filter(closed_automatically=True).exists()
    # The numbers continue the province's running numbers: no clash with the live demo's.
    numbers = list(CoordinationRequest.objects.exclude(number="").values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    late = Deadline.objects.filter(case_id__in=history.values("pk"), closed_at__gt=models.F("due_at"))
    assert late.exists() and Deadline.objects.filter(case_id__in=history.values("pk")).count() > late.count()
    assert ScheduledAction.objects.filter(deadline__in=late, kind=ScheduledAction.Kind.ESCALATION).exists()
    assert demo_request_history_seed() == 0  # once
