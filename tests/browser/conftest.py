"""Browser tests: headless system Chromium (no `playwright install`) against Django's live server."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from cases.models import Category
from cases.services import requests as request_services
from organisation.models import District, DistrictAssignment, Officer, Province, Role, Unit
from organisation.services.geography import geography_load
from reporting.services import cycles
from tests.factories import OfficerFactory, UserFactory, give_role
from tests.reporting.conftest import open_for
from workdays.calendar import fiscal_year

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls are not async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def reference_data_kept(django_db_blocker: Any) -> Iterator[None]:
    """The live server's transactional database is emptied after each test: load the reference data again
    afterwards, so that the tests that follow still find the 77 provinces. (Autouse, hence set up before the
    database fixture and torn down after its flush.)"""
    yield
    with django_db_blocker.unblock():
        geography_load()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """An office PC set to Thai: the browser asks for Thai pages."""
    return {**browser_context_args, "locale": "th-TH"}


@pytest.fixture
def world(live_server: Any) -> None:
    """Chiang Mai with a person in every role, a request sent to the group director, a reporting cycle open."""
    cycles.defaults_ensure()  # the live server's database was emptied by an earlier transactional test
    request_services.defaults_ensure()
    chiang_mai = Province.objects.get(code="50")
    start = datetime.date(2024, 10, 1)

    def person(username: str, first: str, last: str, role: Role, **kwargs: Any) -> Officer:
        officer: Officer = OfficerFactory(  # type: ignore[assignment]
            user=UserFactory(username=username), first_name_th=first, last_name_th=last, **kwargs
        )
        give_role(officer, role, start_date=start, unit=kwargs.get("unit"))
        return officer

    somying = person("cm.officer", "สมหญิง", "รักถิ่น", Role.DISTRICT_OFFICER, province=chiang_mai, prefix="นาง")
    mae_rim = District.objects.get(province=chiang_mai, name_th="แม่ริม")
    DistrictAssignment.objects.create(district=mae_rim, officer=somying, start_date=start)
    person("cm.director", "วิชัย", "ประสานดี", Role.GROUP_DIRECTOR, province=chiang_mai)
    person("cm.head", "ประเสริฐ", "ทองดี", Role.PROVINCIAL_HEAD, province=chiang_mai)
    person("cm.sso", "กมลวรรณ", "เรืองศรี", Role.SSO_ADMIN, province=chiang_mai)
    bureau = Unit.objects.get(code="local-finance")
    person("bureau", "สุภาพร", "พรหมมา", Role.BUREAU_DESK, province=None, unit=bureau, prefix="นางสาว")
    centre = Unit.objects.get(kind=Unit.Kind.COORDINATION_CENTRE)
    central = person("central", "ปรีชา", "ส่วนกลาง", Role.CENTRAL_STAFF, province=None, unit=centre)

    draft = request_services.request_save_draft(
        by=somying.user,
        data=request_services.RequestInput(
            subject="ขอหารือการเบิกจ่ายค่าตอบแทนคณะกรรมการตรวจรับพัสดุขององค์การบริหารส่วนตำบล",
            details="รายละเอียดยาว " * 80,
            category=Category.objects.order_by("pk").first(),  # type: ignore[misc]
            urgency="NORMAL",
            district=mae_rim,
            target_unit=bureau,
            target_province=None,
        ),
    )
    request_services.request_send(request=draft, by=somying.user)
    today = timezone.localdate()
    created = cycles.cycle_create(
        data=cycles.CycleInput(
            fiscal_year=fiscal_year(today),
            label="ไตรมาสทดสอบ",
            period_start=today - datetime.timedelta(days=90),
            period_end=today - datetime.timedelta(days=1),
            opens_on=today,
            closes_on=today + datetime.timedelta(days=30),
        ),
        by=central.user,
    )
    open_for(created, [chiang_mai])
