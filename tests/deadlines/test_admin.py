"""Central staff edit the deadline policy and the calendar, and repair failures, in the admin."""

import datetime

import pytest
from django.urls import reverse

from deadlines.models import DeadlinePolicy, DeadlineRule, ScheduledAction, Urgency
from deadlines.services.deadlines import deadline_start, policy_define_step
from notifications.models import Delivery, Kind
from notifications.services import notify
from organisation.models import District
from tests.factories import OfficerFactory
from workdays.calendar import BANGKOK
from workdays.models import CalendarDay

pytestmark = pytest.mark.django_db

DAYS = {Urgency.NORMAL: 3, Urgency.URGENT: 2, Urgency.VERY_URGENT: 1, Urgency.MOST_URGENT: 1}
FRIDAY = datetime.datetime(2026, 4, 10, 10, tzinfo=BANGKOK)


@pytest.fixture
def policy() -> DeadlinePolicy:
    policy = DeadlinePolicy.objects.get(is_active=True)
    policy_define_step(policy=policy, step="test.review", working_days=DAYS)
    return policy


def start_task(officer) -> None:  # type: ignore[no-untyped-def]
    deadline_start(
        task=officer, case=District.objects.get(code="5001"), step="test.review", urgency=Urgency.NORMAL,
        assignee=officer.user, province=officer.province, now=FRIDAY,
    )  # fmt: skip


def test_a_policy_in_use_cannot_be_edited_but_can_be_copied_activated_and_applied(
    admin_client, policy
) -> None:  # type: ignore[no-untyped-def]
    start_task(OfficerFactory())
    rule = DeadlineRule.objects.get(policy=policy, step="test.review", urgency=Urgency.NORMAL)
    changelist = reverse("admin:deadlines_deadlinepolicy_changelist")

    refused = admin_client.post(
        reverse("admin:deadlines_deadlinerule_change", args=[rule.pk]), {"working_days": 9}
    )
    admin_client.post(changelist, {"action": "copy_as_new_version", "_selected_action": [policy.pk]})
    v2 = DeadlinePolicy.objects.get(version=2)
    DeadlineRule.objects.filter(policy=v2, step="test.review", urgency=Urgency.NORMAL).update(working_days=5)
    admin_client.post(changelist, {"action": "activate", "_selected_action": [v2.pk]})
    preview = admin_client.post(changelist, {"action": "apply_to_open_tasks", "_selected_action": [v2.pk]})
    applied = admin_client.post(
        changelist, {"action": "apply_to_open_tasks", "_selected_action": [v2.pk], "confirm": "yes"}
    )

    assert refused.status_code == 403
    assert DeadlineRule.objects.get(pk=rule.pk).working_days == 3
    assert DeadlinePolicy.objects.get(is_active=True) == v2
    assert preview.status_code == 200 and "22 เม.ย. 2569" in preview.content.decode()
    assert applied.status_code == 302
    assert ScheduledAction.objects.filter(deadline__rule__policy=v2).exists()


def test_a_failed_action_is_retried_from_the_admin(admin_client, policy) -> None:  # type: ignore[no-untyped-def]
    start_task(OfficerFactory())
    action = ScheduledAction.objects.first()
    ScheduledAction.objects.filter(pk=action.pk).update(status=ScheduledAction.Status.FAILED, error="boom")

    admin_client.post(
        reverse("admin:deadlines_scheduledaction_changelist"),
        {"action": "retry", "_selected_action": [action.pk]},
    )

    action.refresh_from_db()
    assert action.status == ScheduledAction.Status.PENDING


def test_a_failed_delivery_is_sent_again_from_the_admin(
    admin_client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    notify(recipients=[OfficerFactory().user], kind=Kind.TASK_ASSIGNED, context={"subject": "x"}, now=FRIDAY)
    Delivery.objects.update(status=Delivery.Status.FAILED, last_error="smtp down")
    delivery = Delivery.objects.get()

    with django_capture_on_commit_callbacks() as callbacks:
        admin_client.post(
            reverse("admin:notifications_delivery_changelist"),
            {"action": "retry", "_selected_action": [delivery.pk]},
        )

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert len(callbacks) == 1


def test_an_administrator_adds_a_special_holiday(admin_client) -> None:  # type: ignore[no-untyped-def]
    response = admin_client.post(
        reverse("admin:workdays_calendarday_add"),
        {"date": "2026-04-16", "kind": "HOLIDAY", "name": "วันหยุดพิเศษ"},
    )

    assert response.status_code == 302
    assert CalendarDay.objects.get().name == "วันหยุดพิเศษ"


def test_central_staff_reach_the_deadline_policy_in_the_admin_and_officers_do_not(client) -> None:  # type: ignore[no-untyped-def]
    from organisation.models import Role
    from organisation.services.appointments import role_appoint
    from tests.factories import UserFactory, give_role

    admin_user = UserFactory(is_superuser=True, is_staff=True)
    central = OfficerFactory(province=None)
    role_appoint(
        officer=central, role=Role.CENTRAL_STAFF, start_date=datetime.date(2025, 10, 1), by=admin_user
    )
    officer = OfficerFactory()
    give_role(officer, Role.DISTRICT_OFFICER)
    url = reverse("admin:deadlines_deadlinepolicy_changelist")

    client.force_login(central.user)
    as_central = client.get(url)
    client.force_login(officer.user)
    as_officer = client.get(url)

    assert as_central.status_code == 200
    assert as_officer.status_code == 302  # to the admin sign-in: not staff


def test_central_staff_see_failed_background_work_on_their_home_page(client, policy) -> None:  # type: ignore[no-untyped-def]
    from organisation.models import Role
    from tests.factories import give_role

    central = OfficerFactory(province=None)
    give_role(central, Role.CENTRAL_STAFF)
    start_task(OfficerFactory())
    client.force_login(central.user)
    calm = client.get(reverse("home")).content.decode()
    ScheduledAction.objects.filter(pk=ScheduledAction.objects.first().pk).update(
        status=ScheduledAction.Status.FAILED
    )

    alarmed = client.get(reverse("home")).content.decode()

    assert "problems-heading" not in calm
    assert "problems-heading" in alarmed
    assert reverse("admin:deadlines_scheduledaction_changelist") in alarmed
