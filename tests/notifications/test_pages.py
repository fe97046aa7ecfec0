"""The bell, the list and the settings page."""

import datetime

import pytest
from django.urls import reverse

from notifications.models import Channel, Kind, Notification, Preference
from notifications.services import notify
from tests.factories import OfficerFactory
from workdays.calendar import BANGKOK

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 4, 21, 10, tzinfo=BANGKOK)


def test_the_bell_counts_unread_and_the_list_shows_them_in_thai(client) -> None:  # type: ignore[no-untyped-def]
    reader = OfficerFactory().user
    notify(recipients=[reader], kind=Kind.TASK_ASSIGNED, context={"subject": "ปส.ชม. 7/2569"}, now=NOW)
    client.force_login(reader)

    home = client.get(reverse("home")).content.decode()
    inbox = client.get(reverse("notifications:inbox")).content.decode()

    assert 'class="bell-count"' in home
    assert "งานใหม่สำหรับท่าน: ปส.ชม. 7/2569" in inbox


def test_opening_a_notification_marks_it_read_and_goes_only_to_a_local_page(client) -> None:  # type: ignore[no-untyped-def]
    reader = OfficerFactory().user
    local, outside = notify(
        recipients=[reader], kind=Kind.TASK_ASSIGNED, context={"subject": "a", "url": "/directory/"}, now=NOW
    ) + notify(
        recipients=[reader],
        kind=Kind.ANSWERED,
        context={"subject": "b", "url": "https://evil.example/"},
        now=NOW,
    )
    client.force_login(reader)

    first = client.get(reverse("notifications:open", args=[local.pk]))
    second = client.get(reverse("notifications:open", args=[outside.pk]))

    assert first.url == "/directory/"
    assert second.url == reverse("notifications:inbox")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_someone_elses_notification_is_not_found(client) -> None:  # type: ignore[no-untyped-def]
    mine = notify(recipients=[OfficerFactory().user], kind=Kind.CLOSED, context={"subject": "x"}, now=NOW)[0]
    client.force_login(OfficerFactory().user)

    assert client.get(reverse("notifications:open", args=[mine.pk])).status_code == 404


def test_settings_switch_email_off_and_choose_the_digest(client) -> None:  # type: ignore[no-untyped-def]
    officer = OfficerFactory()
    client.force_login(officer.user)
    form = {"language": "en"}
    for kind in Kind:
        form[f"{kind.value}__in_app"] = "on"
        form[f"{kind.value}__email"] = "on"
    del form[f"{Kind.ANSWERED.value}__email"]
    form[f"{Kind.CLOSED.value}__digest"] = "on"

    response = client.post(reverse("notifications:preferences"), form)

    assert response.status_code == 302
    assert (
        Preference.objects.get(user=officer.user, kind=Kind.ANSWERED, channel=Channel.EMAIL).enabled is False
    )
    assert Preference.objects.get(user=officer.user, kind=Kind.CLOSED, channel=Channel.EMAIL).digest is True
    assert Preference.objects.filter(user=officer.user).count() == 2
    officer.refresh_from_db()
    assert officer.preferred_language == "en"


def test_pages_need_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get(reverse("notifications:inbox")).status_code == 302
    assert client.post(reverse("notifications:read-all")).status_code == 302
