"""Every e-mail (each notice and the daily digest) has a plain text and an HTML part from the same
context, links that start with SITE_URL, and an HTML part that escapes everything."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import override_settings

from notifications.models import Channel, Delivery, Kind, Preference
from notifications.services import delivery_send, digest_send, notify
from tests.factories import OfficerFactory
from workdays.calendar import BANGKOK

pytestmark = pytest.mark.django_db

FRIDAY_EVENING = datetime.datetime(2026, 4, 17, 18, 0, tzinfo=BANGKOK)
MONDAY_MORNING = datetime.datetime(2026, 4, 20, 8, 45, tzinfo=BANGKOK)
DUE = datetime.datetime(2026, 4, 24, 16, 30, tzinfo=BANGKOK)
SITE = "https://coordination.dla.go.th"
CRAFTED = '<b onmouseover="x()">ปส.ชม. 7/2569</b> & "งบ"'


@pytest.fixture
def reader():  # type: ignore[no-untyped-def]
    return OfficerFactory(email="reader@dla.go.th", user__email="reader@dla.go.th").user


def html_of(message: mail.EmailMessage) -> str:
    [(content, mime)] = message.alternatives  # type: ignore[attr-defined]
    assert mime == "text/html"
    return str(content)


@override_settings(SITE_URL=SITE)
def test_an_escalation_says_who_holds_it_since_when_and_what_to_do(reader) -> None:  # type: ignore[no-untyped-def]
    notify(
        recipients=[reader],
        kind=Kind.ESCALATED,
        context={
            "subject": CRAFTED,
            "title": CRAFTED,
            "level": 1,
            "holder": "นายสมชาย ใจดี",
            "due_at": DUE.isoformat(),
            "url": "/requests/7/",
            "province": {"th": "เชียงใหม่", "en": "Chiang Mai"},
        },
        now=MONDAY_MORNING,
    )

    delivery_send(delivery_id=Delivery.objects.get().pk, now=MONDAY_MORNING)

    [message] = mail.outbox
    html = html_of(message)
    for part in (message.body, html):
        assert "นายสมชาย ใจดี" in part and "จังหวัดเชียงใหม่" in part
        assert "24 เมษายน 2569 16:30 น." in part
        assert "ติดตามให้ดำเนินการ" in part
        assert f"{SITE}/requests/7/" in part
    assert CRAFTED in message.body
    assert "<b " not in html
    assert "&lt;b onmouseover=&quot;x()&quot;&gt;ปส.ชม. 7/2569&lt;/b&gt; &amp; &quot;งบ&quot;" in html


@override_settings(SITE_URL=SITE)
def test_the_digest_has_both_parts_with_a_link_to_each_item(reader) -> None:  # type: ignore[no-untyped-def]
    Preference.objects.create(user=reader, kind=Kind.ANSWERED, channel=Channel.EMAIL, digest=True)
    for number in (1, 2):
        notify(
            recipients=[reader],
            kind=Kind.ANSWERED,
            context={"subject": f"{CRAFTED} {number}", "url": f"/requests/{number}/"},
            now=FRIDAY_EVENING,
        )

    assert digest_send(user_id=reader.pk, now=MONDAY_MORNING) == 2

    [message] = mail.outbox
    html = html_of(message)
    for number in (1, 2):
        assert f"{SITE}/requests/{number}/" in message.body and f"{SITE}/requests/{number}/" in html
    assert f"{SITE}/notifications/" in message.body
    assert CRAFTED in message.body and "<b " not in html and "&lt;b onmouseover" in html
