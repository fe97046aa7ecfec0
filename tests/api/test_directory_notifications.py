"""The directory (open to every caller, as its pages) and the caller's own notifications."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from tests.api.conftest import Api
from tests.coordination import Org, sent_request


def test_a_provinces_directory_names_its_role_holders_and_district_officers(
    org: Org, api_as: Callable[..., Api]
) -> None:
    body = api_as(org.lp_officer).get(f"provinces/{org.chiang_mai.code}/").json()
    assert body["group_director"]["id"] == org.director.officer.pk
    assert body["provincial_head"]["id"] == org.head.officer.pk
    officers = {row["district"]["code"]: row["officer"] for row in body["districts"]}
    assert officers[org.district.code]["id"] == org.officer.officer.pk


def test_a_districts_directory(org: Org, api_as: Callable[..., Api]) -> None:
    body = api_as(org.officer).get(f"districts/{org.lamphun_district.code}/").json()
    assert body["officer"]["id"] == org.lp_officer.officer.pk


def test_provinces_and_districts_page_by_cursor(org: Org, api_as: Callable[..., Api]) -> None:
    api = api_as(org.officer)
    first = api.get("provinces/", page_size=50).json()
    rest = api.client.get(first["next"], headers=api.headers).json()
    assert len(first["results"]) + len(rest["results"]) == 77
    districts = api.get("districts/", province=org.lamphun.code).json()["results"]
    assert {d["province"] for d in districts} == {org.lamphun.code}


def test_the_centre_and_central_units_with_contacts(org: Org, api_as: Callable[..., Api]) -> None:
    rows = api_as(org.officer).get("units/").json()
    assert rows[0]["kind"] == "COORDINATION_CENTRE"


def test_unknown_codes_answer_404_in_the_error_shape(org: Org, api_as: Callable[..., Api]) -> None:
    response = api_as(org.officer).get("provinces/zz/")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message"}


def test_own_notifications_only_and_mark_read(org: Org, api_as: Callable[..., Api]) -> None:
    sent_request(org)
    sent_request(org)
    api = api_as(org.director)
    rows = api.get("notifications/").json()["results"]
    mine = set(
        Notification.objects.filter(recipient=org.director, show_in_app=True).values_list("pk", flat=True)
    )
    assert {row["id"] for row in rows} == mine and mine
    others = list(Notification.objects.exclude(recipient=org.director).values_list("pk", flat=True))
    marked = api.post("notifications/read/", {"ids": [rows[0]["id"], *others]}).json()
    assert marked == {"marked": 1}
    assert Notification.objects.filter(pk__in=others, read_at__isnull=False).count() == 0
    assert api.post("notifications/read/", {}).json() == {"marked": len(mine) - 1}


def test_notifications_cost_the_same_queries_at_any_page_size(org: Org, api_as: Callable[..., Api]) -> None:
    for _ in range(6):
        sent_request(org)
    api = api_as(org.director)
    api.get("notifications/", page_size=1)
    counts = []
    for size in (2, 5):
        with CaptureQueriesContext(connection) as queries:
            assert len(api.get("notifications/", page_size=size).json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
