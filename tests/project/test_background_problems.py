"""Background work that failed is named on central staff's home page, each kind with its count, counted in one
query and held until something writes to the tables it counts; nobody else sees it, and nothing is shown when
nothing failed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from deadlines.models import ScheduledAction
from health.selectors import Problems, background_problems
from notifications.models import Delivery
from tests.coordination import Org, sent_request

pytestmark = pytest.mark.django_db


def _home(user) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client.get("/").content.decode()


def test_each_kind_of_failed_background_work_is_counted_and_named_for_central_staff(org: Org) -> None:
    sent_request(org)
    sent_request(org)
    assert background_problems() == Problems(0, 0, 0)
    assert "งานเบื้องหลังที่ต้องแก้ไข" not in _home(org.central)

    assert ScheduledAction.objects.count() >= 1 and Delivery.objects.count() >= 2
    ScheduledAction.objects.filter(pk=ScheduledAction.objects.order_by("pk")[0].pk).update(
        status=ScheduledAction.Status.FAILED
    )
    Delivery.objects.filter(pk__in=Delivery.objects.order_by("pk").values("pk")[:2]).update(
        status=Delivery.Status.FAILED
    )
    Task.objects.filter(pk__in=Task.objects.order_by("-pk").values("pk")[:3]).update(status=STATUS.ERROR)

    with CaptureQueriesContext(connection) as queries:
        problems = background_problems()
    assert problems == Problems(failed_actions=1, failed_deliveries=2, failed_flow_tasks=3)
    assert len(queries.captured_queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert background_problems() == problems  # held until those tables are written
    assert queries.captured_queries == []

    page = _home(org.central)
    assert "งานเบื้องหลังที่ต้องแก้ไข" in page
    assert "การแจ้งเตือนหรือการยกระดับล้มเหลว 1 รายการ" in page
    assert "ส่งการแจ้งเตือนไม่สำเร็จ 2 รายการ" in page
    assert "ขั้นตอนงานหยุดเพราะข้อผิดพลาด 3 รายการ" in page
    assert "งานเบื้องหลังที่ต้องแก้ไข" not in _home(org.director)  # central staff's only

    # Repaired (a retry in the admin): the next look counts again.
    Delivery.objects.filter(status=Delivery.Status.FAILED).update(status=Delivery.Status.SENT)
    page = _home(org.central)
    assert "ส่งการแจ้งเตือนไม่สำเร็จ" not in page and "ขั้นตอนงานหยุดเพราะข้อผิดพลาด 3 รายการ" in page
