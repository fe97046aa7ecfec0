"""Every signed-in page pays for its layout (the session, the person, their roles and deputies, the bell) at
most two queries once warm, and a GET writes nothing (issue 12, goal 3)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Kind
from notifications.services import notify
from organisation.models import ActingDeputy, Role
from tests.factories import give_role

LAYOUT_TABLES = re.compile(
    r'"(django_session|organisation_officer|organisation_roleassignment|organisation_actingdeputy|'
    r'notifications_notification)"'
)
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)", re.IGNORECASE)


def _warm_get(client, url):
    client.get(url)  # the first page after sign-in may renew the session and fill the cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
def test_a_warm_page_reads_its_layout_in_at_most_two_queries_and_writes_nothing(client, org) -> None:
    client.force_login(org.director)
    response, sql = _warm_get(client, "/notifications/")

    assert response.status_code == 200
    assert [q for q in sql if WRITE.match(q)] == []
    layout = [q for q in sql if LAYOUT_TABLES.search(q) and "notifications_notification" not in q]
    layout += [q for q in sql if '"auth_user"' in q and "WHERE" in q and '"auth_user"."id" =' in q]
    assert len(layout) <= 2, layout


@pytest.mark.django_db
def test_a_new_role_shows_on_the_next_page(client, org, clock) -> None:
    client.force_login(org.neighbour)
    before = client.get("/").wsgi_request.scope
    assert Role.CENTRAL_STAFF not in before.roles

    give_role(org.neighbour.officer, Role.CENTRAL_STAFF)

    assert Role.CENTRAL_STAFF in client.get("/").wsgi_request.scope.roles


@pytest.mark.django_db
def test_an_acting_deputy_set_today_acts_on_the_next_page(client, org, clock) -> None:
    client.force_login(org.head)
    assert org.chiang_mai.pk not in client.get("/").wsgi_request.scope.provinces_by_role.get(
        Role.GROUP_DIRECTOR, frozenset()
    )
    today = datetime.date(2026, 6, 8)
    ActingDeputy.objects.create(
        province=org.chiang_mai, deputy=org.head.officer, start_date=today, end_date=today
    )

    scope = client.get("/").wsgi_request.scope
    assert org.chiang_mai.pk in scope.provinces_by_role[Role.GROUP_DIRECTOR]


@pytest.mark.django_db
def test_the_bell_counts_a_new_notification_and_forgets_it_once_read(client, org, clock) -> None:
    client.force_login(org.officer)
    first = client.get("/notifications/").context["unread_notifications"]

    notify(recipients=[org.officer], kind=Kind.TASK_ASSIGNED, context={"subject": "x"}, now=timezone.now())
    assert client.get("/notifications/").context["unread_notifications"] == first + 1

    client.post("/notifications/read-all/")
    assert client.get("/notifications/").context["unread_notifications"] == 0


@pytest.mark.django_db
def test_the_header_names_the_province_and_the_home_page_greets_the_person(client, org, clock) -> None:
    client.force_login(org.director)
    html = client.get("/").content.decode()

    officer = org.director.officer
    assert f'<span class="user-province">จังหวัด{org.chiang_mai.name_th}</span>' in html
    assert f'<h1 class="page-title">สวัสดี {officer.full_name}</h1>' in html
