"""Factories with fixed, readable Thai data."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model

from organisation.models import Officer, Province, Role, RoleAssignment
from organisation.models.people import CivilServiceLevel

User = get_user_model()
PASSWORD = "demo-pass-2568"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n:04d}")
    password = factory.django.Password(PASSWORD)


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    user = factory.SubFactory(UserFactory)
    prefix = "นาย"
    first_name_th = factory.Sequence(lambda n: f"สมชาย{n}")
    last_name_th = "ใจดี"
    first_name_en = factory.Sequence(lambda n: f"Somchai{n}")
    last_name_en = "Jaidee"
    position = "นักวิชาการส่งเสริมการปกครองท้องถิ่น"
    level = CivilServiceLevel.PROFESSIONAL
    province = factory.LazyFunction(lambda: Province.objects.get(code="50"))
    phone = "053 112 233"
    email = factory.Sequence(lambda n: f"officer{n}@dla.go.th")
    position_since = datetime.date(2020, 10, 1)


def give_role(
    officer: Officer,
    role: Role,
    *,
    province: Province | None = None,
    unit: object = None,
    start_date: datetime.date = datetime.date(2020, 10, 1),
) -> RoleAssignment:
    """Set up a role directly (fixture data, bypassing the appointment rules under test elsewhere)."""
    if province is None and role in Role.provincial():
        province = officer.province
    return RoleAssignment.objects.create(
        officer=officer, role=role, province=province, unit=unit, start_date=start_date
    )
