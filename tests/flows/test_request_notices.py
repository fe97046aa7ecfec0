"""The e-mails of a request, read from the outbox: one per person and event, none about one's own action,
each saying what happened, to what, where, by whom (and for whom), by when, what to do, and the link."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import override_settings

from cases.services import requests as services
from notifications.models import Delivery, Notification
from notifications.services import delivery_send
from organisation.models import ActingDeputy
from tests.coordination import MONDAY_MORNING, Org, fresh, sent_request
from tests.flows.test_coordination_flow import open_task

SITE = "https://coordination.dla.go.th"


@pytest.fixture(autouse=True)
def addresses(org: Org) -> None:
    for user in User.objects.all():
        user.email = f"{user.username}@dla.go.th"
        user.save(update_fields=["email"])
    for value in vars(org).values():
        if isinstance(value, User):
            value.refresh_from_db()


def send_all() -> None:
    for delivery in Delivery.objects.filter(status=Delivery.Status.PENDING).order_by("pk"):
        delivery_send(delivery_id=delivery.pk, now=MONDAY_MORNING + datetime.timedelta(days=30))


def kinds(user: object) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def test_answering_tells_the_requester_once_with_what_to_do_by_when(org: Org) -> None:
    request = sent_request(org, target=org.lamphun)
    services.request_route(request=request, task_id=open_task(request).pk, by=org.director)
    before = kinds(org.officer)

    services.request_answer(
        request=request, task_id=open_task(request).pk, by=org.lp_director, answer="ตอบแล้ว"
    )

    assert kinds(org.officer)[len(before) :] == ["answered"]  # not "new task" as well
    assert kinds(org.lp_director)[-1:] != ["answered"]
    told = Notification.objects.filter(recipient=org.officer).latest("pk")
    assert datetime.datetime.fromisoformat(told.context["due_at"]) == fresh(request).due_at  # acceptance


def test_nobody_is_told_of_their_own_action(org: Org) -> None:
    request = sent_request(org, target=org.lamphun)
    services.request_route(request=request, task_id=open_task(request).pk, by=org.director)
    services.request_answer(request=request, task_id=open_task(request).pk, by=org.lp_director, answer="ตอบ")
    officer_before, answerer_before = kinds(org.officer), kinds(org.lp_director)

    services.request_accept(request=request, task_id=open_task(request).pk, by=org.officer)

    assert kinds(org.officer) == officer_before  # she closed it herself: no "closed"
    assert kinds(org.lp_director)[len(answerer_before) :] == ["closed"]
    assert (
        not Notification.objects.filter(recipient=org.director, kind="task_assigned")
        .exclude(context__url="")
        .filter(kind="closed")
        .exists()
    )


def test_withdrawing_ones_own_returned_request_tells_nobody_about_it_twice(org: Org) -> None:
    request = sent_request(org)
    services.request_return(request=request, task_id=open_task(request).pk, by=org.director, reason="แก้")
    before = kinds(org.officer)

    services.request_withdraw(request=fresh(request), by=org.officer, reason="ไม่ต้องแล้ว")

    assert kinds(org.officer) == before


@override_settings(SITE_URL=SITE)
def test_an_email_says_what_to_what_where_by_whom_for_whom_by_when_and_links_to_it(org: Org) -> None:
    ActingDeputy.objects.create(
        province=org.chiang_mai,
        deputy=org.neighbour.officer,
        start_date=datetime.date(2026, 6, 7),
        end_date=datetime.date(2026, 6, 12),
    )
    request = sent_request(org)
    services.request_return(
        request=request, task_id=open_task(request).pk, by=org.neighbour, reason="แนบเอกสาร"
    )
    mail.outbox.clear()

    send_all()

    [message] = [m for m in mail.outbox if m.to == [org.officer.email]]
    request = fresh(request)
    html = dict((mime, content) for content, mime in message.alternatives)["text/html"]
    for part in (message.body, html):
        assert request.number in part
        assert request.subject in part
        assert f"{org.district.name_th}" in part and org.chiang_mai.name_th in part
        assert org.neighbour.officer.full_name in part
        assert org.director.officer.full_name in part  # for whom the deputy acted
        assert "แนบเอกสาร" in part  # the reason
        assert "มิถุนายน 2569" in part  # the deadline, Buddhist Era
        assert "แก้ไข" in part  # what to do
        assert f"{SITE}{request.get_absolute_url()}" in part
    assert "<script" not in html


@override_settings(SITE_URL=SITE)
def test_the_html_part_escapes_everything(org: Org) -> None:
    sent_request(org, subject='<script>alert("x")</script> & งบ')
    mail.outbox.clear()

    send_all()

    [message] = [m for m in mail.outbox if m.to == [org.director.email]]
    html = message.alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; งบ" in html
    assert '<script>alert("x")</script> & งบ' in message.body  # the plain text as typed
    assert message.subject.endswith('<script>alert("x")</script> & งบ')


@pytest.mark.parametrize("subject", ["ขอหารือ\r\nBcc: victim@example.com", "ขอหารือ\nงบ\x00\x1b กลาง\u2028x"])
def test_a_subject_with_line_breaks_is_stored_as_one_line_and_every_email_about_it_goes(
    org: Org, subject: str
) -> None:
    request = sent_request(org, subject=subject)
    mail.outbox.clear()

    send_all()

    stored = fresh(request).subject
    assert "\n" not in stored and "\r" not in stored and "\x00" not in stored and "\u2028" not in stored
    assert stored.startswith("ขอหารือ ")
    assert not Delivery.objects.exclude(status=Delivery.Status.SENT).exists()
    assert all("\n" not in m.subject for m in mail.outbox) and mail.outbox


def test_a_reassignment_tells_the_former_holder_it_was_handed_over_and_the_new_one_it_is_theirs(
    org: Org,
) -> None:
    request = sent_request(org)
    head_before = kinds(org.head)
    send_all()
    mail.outbox.clear()

    services.request_reassign(
        request=fresh(request), task_id=open_task(request).pk, by=org.head, to=org.neighbour, reason="ผอ. ลา"
    )

    assert kinds(org.head) == head_before  # the head acted: not told
    former = Notification.objects.filter(recipient=org.director).latest("pk")
    assert former.kind == "handed_over"  # not "new task for you"
    assert former.context["handed_to"] == org.neighbour.officer.full_name
    assert kinds(org.neighbour) == ["task_assigned"]
    send_all()
    [message] = [m for m in mail.outbox if m.to == [org.director.email]]
    assert message.subject.startswith(f"ส่งต่อให้ {org.neighbour.officer.full_name} แล้ว: ")
    assert "ผอ. ลา" in message.body and org.head.officer.full_name in message.body
