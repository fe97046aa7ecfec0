"""Thai dictionary order everywhere: the Python key, the database's collation (ICU on PostgreSQL, the same
key registered in SQLite) and the pages that list provinces, districts and people by name."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from organisation.models import District, Officer, Province
from tests.factories import OfficerFactory, UserFactory
from workdays.thai import THAI_COLLATION, thai_key, thai_order

pytestmark = pytest.mark.django_db

# Thai dictionary order (leading vowels under their consonant, tone marks second).
PROVINCES_IN_ORDER = ["กระบี่", "เชียงราย", "เชียงใหม่", "แพร่", "ลำพูน", "อ่างทอง", "อุดรธานี"]


def test_the_key_is_dictionary_order() -> None:
    assert sorted(reversed(PROVINCES_IN_ORDER), key=thai_key) == PROVINCES_IN_ORDER
    # Tone marks decide only between otherwise equal words; Thai before Latin; case does not matter.
    assert sorted(["เก้าเลี้ยว", "เกาะคา", "เกาะกูด"], key=thai_key) == ["เก้าเลี้ยว", "เกาะกูด", "เกาะคา"]
    assert sorted(["แก่งคอย", "แกลง", "แก้งคร้อ"], key=thai_key) == ["แก้งคร้อ", "แก่งคอย", "แกลง"]
    assert sorted(["beta", "Alpha", "กข"], key=thai_key) == ["กข", "Alpha", "beta"]


def names(rows: Any) -> list[str]:
    return [row.name_th for row in rows]


def test_the_database_sorts_as_the_key_does() -> None:
    """PostgreSQL's ICU collation and SQLite's registered one give the key's order for every province and
    every district, by default (the models' ordering) and when asked."""
    provinces = names(Province.objects.all())
    assert provinces == sorted(provinces, key=thai_key) and len(provinces) == 77
    assert provinces.index("เชียงใหม่") < provinces.index("อ่างทอง")
    assert names(Province.objects.order_by(thai_order("name_th", descending=True))) == provinces[::-1]
    districts = names(District.objects.order_by(thai_order("name_th"), "code"))
    assert districts == sorted(districts, key=thai_key) and len(districts) == 928
    chiang_mai = names(District.objects.filter(province__code="50"))
    assert chiang_mai == sorted(chiang_mai, key=thai_key)


@pytest.mark.postgres
def test_postgres_orders_by_its_icu_collation() -> None:
    sql = str(Province.objects.all().query)
    assert f'COLLATE "{THAI_COLLATION}"' in sql and connection.vendor == "postgresql"


def test_officers_by_name() -> None:
    cm = Province.objects.get(code="50")
    for first in ("อนันต์", "เอกชัย", "ไพโรจน์", "กมล", "โชติ"):
        OfficerFactory(province=cm, first_name_th=first, last_name_th="ใจดี")
    assert [o.first_name_th for o in Officer.objects.filter(province=cm)] == [
        "กมล",
        "โชติ",
        "ไพโรจน์",
        "อนันต์",
        "เอกชัย",
    ]


def options(html: str, select_name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, select_name
    return [
        re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r"<option[^>]*>(.*?)</option>", select[1])
    ]


def assert_thai_order(shown: list[str]) -> None:
    assert shown == sorted(shown, key=thai_key)
    assert shown.index("เชียงใหม่") < shown.index("อ่างทอง")


def test_sso_admin_list_in_thai_order(client: Client) -> None:
    shown = options(client.get(reverse("accounts:sso-admins")).content.decode(), "province")[1:]
    assert len(shown) == 76
    assert_thai_order(shown)


def test_directory_provinces_in_thai_order(client: Client) -> None:
    client.force_login(cast(Any, UserFactory(username="reader")))
    html = client.get(reverse("directory")).content.decode()
    shown = [
        name for name in options(html, "province") if name in {p.name_th for p in Province.objects.all()}
    ]
    assert len(shown) == 77
    assert_thai_order(shown)
