"""A small organisation shared by the tests of both workflows: Chiang Mai (requester's province), Lamphun (a
target province), a bureau desk and central staff; the clock fixed on a named working day."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User

from cases.models import Category, CoordinationRequest
from cases.services import requests as services
from organisation.models import District, DistrictAssignment, Officer, Province, Role, Unit
from tests.factories import OfficerFactory, UserFactory, give_role
from workdays.calendar import BANGKOK

# Monday 8 June 2026, 09:00 in Bangkok: three ordinary working weeks with no holiday (after the Queen's
# birthday on 3 June, before Asarnha Bucha in July).
MONDAY_MORNING = datetime.datetime(2026, 6, 8, 9, 0, tzinfo=BANGKOK)


@dataclass
class Org:
    chiang_mai: Province
    lamphun: Province
    district: District
    other_district: District
    lamphun_district: District
    officer: User  # district officer of `district` (Chiang Mai)
    neighbour: User  # district officer of `other_district` (Chiang Mai)
    director: User  # group director, Chiang Mai
    head: User  # provincial head, Chiang Mai
    lp_director: User
    lp_head: User
    lp_officer: User  # district officer in Lamphun
    desk: User  # bureau desk, local finance
    desk2: User
    other_desk: User  # bureau desk of another unit
    central: User
    bureau: Unit
    other_bureau: Unit
    centre: Unit
    category: Category


def _person(username: str, province: Province | None, unit: Unit | None = None) -> tuple[User, Officer]:
    user = UserFactory(username=username)
    officer = OfficerFactory(user=user, province=province, unit=unit)
    return user, officer


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Attachments written by the tests go to a throw-away folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def org(db: None, clock: time_machine.Traveller) -> Org:
    services.defaults_ensure()  # after a transactional test emptied the tables
    start = datetime.date(2025, 10, 1)
    cm = Province.objects.get(code="50")
    lp = Province.objects.get(code="51")
    district, other = list(District.objects.filter(province=cm).order_by("code")[:2])
    lp_district = District.objects.filter(province=lp).order_by("code").first()
    people: dict[str, User] = {}
    for name, province, role in [
        ("officer", cm, Role.DISTRICT_OFFICER),
        ("neighbour", cm, Role.DISTRICT_OFFICER),
        ("director", cm, Role.GROUP_DIRECTOR),
        ("head", cm, Role.PROVINCIAL_HEAD),
        ("lp_director", lp, Role.GROUP_DIRECTOR),
        ("lp_head", lp, Role.PROVINCIAL_HEAD),
        ("lp_officer", lp, Role.DISTRICT_OFFICER),
    ]:
        user, officer = _person(f"t.{name}", province)
        give_role(officer, role, province=province, start_date=start)
        people[name] = user
    DistrictAssignment.objects.create(district=district, officer=people["officer"].officer, start_date=start)
    DistrictAssignment.objects.create(district=other, officer=people["neighbour"].officer, start_date=start)
    DistrictAssignment.objects.create(
        district=lp_district, officer=people["lp_officer"].officer, start_date=start
    )
    bureau = Unit.objects.get(code="local-finance")
    other_bureau = Unit.objects.get(code="local-law")
    centre = Unit.objects.get(kind=Unit.Kind.COORDINATION_CENTRE)
    for name, unit in [("desk", bureau), ("desk2", bureau), ("other_desk", other_bureau)]:
        user, officer = _person(f"t.{name}", None, unit)
        give_role(officer, Role.BUREAU_DESK, unit=unit, start_date=start)
        people[name] = user
    user, officer = _person("t.central", None, centre)
    give_role(officer, Role.CENTRAL_STAFF, unit=centre, start_date=start)
    people["central"] = user
    return Org(
        chiang_mai=cm,
        lamphun=lp,
        district=district,
        other_district=other,
        lamphun_district=lp_district,
        bureau=bureau,
        other_bureau=other_bureau,
        centre=centre,
        category=Category.objects.get(code="budget"),
        **people,
    )


def request_input(
    org: Org, *, target: Unit | Province | None = None, **changes: object
) -> services.RequestInput:
    target = target if target is not None else org.bureau
    data = services.RequestInput(
        subject="ขอหารือการเบิกจ่ายงบประมาณโครงการป้องกันน้ำท่วม",
        details="เทศบาลตำบลขอหารือแนวทางการเบิกจ่ายงบกลางกรณีฉุกเฉิน",
        category=org.category,
        urgency="NORMAL",
        district=org.district,
        target_unit=target if isinstance(target, Unit) else None,
        target_province=target if isinstance(target, Province) else None,
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def sent_request(
    org: Org, *, target: Unit | Province | None = None, **changes: object
) -> CoordinationRequest:
    draft = services.request_save_draft(by=org.officer, data=request_input(org, target=target, **changes))
    return services.request_send(request=draft, by=org.officer)


def fresh(request: CoordinationRequest) -> CoordinationRequest:
    return CoordinationRequest.objects.get(pk=request.pk)


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()
