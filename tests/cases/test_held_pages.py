"""What pages hold rendered of a person's work (organisation/cached.py): the home page's sections, the request
lists, the inbox. A second look reads nothing of the work; whatever writes to the work (a service, a worker, an
update() of many rows behind every signal) shows on the next look; one person's held page is never another's."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Task

from cases.models import CoordinationRequest
from organisation.cached import stamp, work_stamp_key
from organisation.models import Officer
from reporting.models import DistrictReport
from tests.coordination import Org, sent_request

pytestmark = pytest.mark.django_db

WORK_TABLES = re.compile(r'"(cases_|reporting_|viewflow_)')


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _look(client: Client, url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [
        q["sql"] for q in queries.captured_queries if WORK_TABLES.search(q["sql"])
    ]


def _stamps() -> tuple[str, str]:
    return stamp(work_stamp_key("requests")), stamp(work_stamp_key("reports"))


def test_a_write_renews_the_stamp_of_the_work_it_belongs_to_and_nothing_else_does(org: Org) -> None:
    requests, reports = _stamps()
    list(CoordinationRequest.objects.all())
    Officer.objects.filter(pk=org.officer.officer.pk).update(
        phone="053 000 111"
    )  # the directory's, not the work's
    assert _stamps() == (requests, reports)

    CoordinationRequest.objects.filter(pk=0).update(subject="ก")  # no row matched: the statement still wrote
    assert _stamps()[0] != requests and _stamps()[1] == reports
    requests = _stamps()[0]

    DistrictReport.objects.filter(pk=0).update(late=False)  # a report's draft saved: not the request lists
    assert _stamps()[0] == requests and _stamps()[1] != reports
    reports = _stamps()[1]

    Task.objects.filter(pk=0).update(owner=None)  # viewflow's tasks belong to both workflows
    assert _stamps()[0] != requests and _stamps()[1] != reports


def test_a_transaction_that_writes_the_work_renews_its_stamp_again_once_it_commits(
    org: Org, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        CoordinationRequest.objects.filter(pk=0).update(subject="ก")
        CoordinationRequest.objects.filter(pk=0).update(subject="ข")
    assert len(callbacks) == 1  # once, however many statements wrote

    before = _stamps()
    callbacks[0]()
    assert _stamps()[0] != before[0] and _stamps()[1] == before[1]


def test_the_directors_home_is_held_until_a_request_comes_and_shows_a_change_made_behind_every_signal(
    org: Org,
) -> None:
    client = _client(org.director)
    client.get("/")
    html, work = _look(client, "/")
    assert work == []  # held: nothing of the work read
    assert "ขอหารือการเบิกจ่ายงบประมาณ" not in html

    request = sent_request(org)
    html, work = _look(client, "/")
    assert "ขอหารือการเบิกจ่ายงบประมาณ" in html and request.number in html
    assert work

    CoordinationRequest.objects.filter(pk=request.pk).update(subject="ขอความร่วมมือสำรวจถนนชำรุด")
    html, _work = _look(client, "/")
    assert "ขอความร่วมมือสำรวจถนนชำรุด" in html


def test_a_held_home_page_is_the_persons_own(org: Org) -> None:
    sent_request(org)
    director = _client(org.director)
    assert "ขอหารือการเบิกจ่ายงบประมาณ" in director.get("/").content.decode()

    html = _client(org.lp_director).get("/").content.decode()  # another province's director, right after
    assert "ขอหารือการเบิกจ่ายงบประมาณ" not in html
    assert "Lamphun" in html or "ลำพูน" in html


def test_the_officers_list_and_the_directors_queue_show_a_new_request_on_the_next_look(org: Org) -> None:
    officer, director = _client(org.officer), _client(org.director)
    for client, url in ((officer, "/requests/"), (director, "/requests/queue/")):
        client.get(url)
        html, work = _look(client, url)
        assert work == [] and "ขอหารือการเบิกจ่ายงบประมาณ" not in html, url

    request = sent_request(org)
    for client, url in ((officer, "/requests/"), (director, "/requests/queue/")):
        html, _work = _look(client, url)
        assert request.number in html, url
    html, _work = _look(officer, "/requests/?q=" + "ไม่มีเรื่องนี้")  # other filters: a list of its own
    assert request.number not in html


def test_the_inbox_is_held_until_a_notification_arrives(org: Org) -> None:
    client = _client(org.director)
    client.get("/notifications/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/notifications/")
    assert not [q for q in queries.captured_queries if 'FROM "notifications_notification"' in q["sql"]]

    request = sent_request(org)
    html = client.get("/notifications/").content.decode()
    assert request.number in html
