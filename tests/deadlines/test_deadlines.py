"""The deadline engine: deadlines in working days, reminders, the escalation ladder, policy versions."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator

import pytest
from django.core import mail
from django.db import connection
from django.utils import translation

from deadlines.models import Deadline, DeadlinePolicy, ScheduledAction, TimelineEntry, Urgency
from deadlines.services.deadlines import (
    deadline_close,
    deadline_reassign,
    deadline_start,
    due_actions_fire,
    failed_action_retry,
    policy_apply_to_open,
    policy_define_step,
    policy_preview,
)
from deadlines.timeline_text import describe
from notifications.models import Delivery, Kind, Notification
from organisation.models import ActingDeputy, District, Officer, Province, Role
from tests.factories import OfficerFactory, give_role
from workdays.calendar import BANGKOK
from workdays.templatetags.thai_dates import thai_date

pytestmark = pytest.mark.django_db

STEP = "test.review"
DAYS = {Urgency.NORMAL: 3, Urgency.URGENT: 2, Urgency.VERY_URGENT: 1, Urgency.MOST_URGENT: 1}


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


@pytest.fixture
def policy() -> DeadlinePolicy:
    policy = DeadlinePolicy.objects.get(is_active=True)
    policy_define_step(policy=policy, step=STEP, working_days=DAYS)
    return policy


@pytest.fixture
def people(chiang_mai: Province) -> dict[str, Officer]:
    people = {
        "officer": OfficerFactory(province=chiang_mai),
        "director": OfficerFactory(province=chiang_mai, former_district_officer=True),
        "head": OfficerFactory(province=chiang_mai),
        "central": OfficerFactory(province=None),
    }
    give_role(people["officer"], Role.DISTRICT_OFFICER)
    give_role(people["director"], Role.GROUP_DIRECTOR)
    give_role(people["head"], Role.PROVINCIAL_HEAD)
    give_role(people["central"], Role.CENTRAL_STAFF)
    return people


@pytest.fixture
def case() -> District:
    return District.objects.get(code="5001")


def start(
    case: District, people: dict[str, Officer], *, who: str = "officer", now: datetime.datetime | None = None
) -> Deadline:
    return deadline_start(
        task=people[who],
        case=case,
        step=STEP,
        urgency=Urgency.NORMAL,
        assignee=people[who].user,
        province=case.province,
        assignee_is_director=who == "director",
        now=now or at(4, 10),
    )


def schedule(deadline: Deadline) -> list[tuple[str, int, datetime.datetime]]:
    return [(a.kind, a.position, a.fire_at) for a in deadline.actions.order_by("fire_at", "kind")]


def test_a_task_gets_its_deadline_reminders_and_ladder_in_working_days(
    policy: DeadlinePolicy, people: dict[str, Officer], case: District
) -> None:
    deadline = start(case, people)  # Friday 10 April 2026, before Songkran

    assert deadline.due_at == at(4, 20, 16, 30)
    assert schedule(deadline) == [
        ("REMINDER", 1, at(4, 17, 8, 30)),
        ("REMINDER", 0, at(4, 20, 8, 30)),
        ("ESCALATION", 1, at(4, 20, 16, 30)),
        ("ESCALATION", 2, at(4, 21, 16, 30)),
        ("ESCALATION", 3, at(4, 22, 16, 30)),
    ]
    entry = TimelineEntry.objects.get(kind=TimelineEntry.Kind.DEADLINE_SET)
    with translation.override("en"):
        text = describe(entry)
        made = thai_date(policy.created_at)
    assert (
        text == f"Due 20 Apr 2569 BE 16:30 (3 working days, under deadline rules no. 1, in force from {made})"
    )
    with translation.override("th"):
        assert "ตามเกณฑ์กำหนดเวลา ฉบับที่ 1 ใช้ตั้งแต่" in describe(entry) and "v1" not in describe(entry)


def test_when_the_director_is_the_assignee_escalation_starts_at_level_2(
    policy: DeadlinePolicy, people: dict[str, Officer], case: District
) -> None:
    deadline = start(case, people, who="director")

    assert [(k, p) for k, p, _ in schedule(deadline) if k == "ESCALATION"] == [
        ("ESCALATION", 2),
        ("ESCALATION", 3),
    ]


def test_a_reminder_fires_once_and_notifies_the_assignee(
    policy: DeadlinePolicy, people: dict[str, Officer], case: District, django_capture_on_commit_callbacks
) -> None:
    start(case, people)

    first = due_actions_fire(now=at(4, 17, 9))
    second = due_actions_fire(now=at(4, 17, 9, 1))

    assert (first.fired, second.fired) == (1, 0)
    notification = Notification.objects.get()
    assert notification.recipient == people["officer"].user
    assert notification.kind == Kind.DUE_SOON
    assert TimelineEntry.objects.filter(kind=TimelineEntry.Kind.REMINDER).count() == 1


def test_the_ladder_tells_director_then_provincial_head_then_centre(
    policy: DeadlinePolicy, people: dict[str, Officer], case: District
) -> None:
    start(case, people)

    due_actions_fire(now=at(4, 20, 16, 31))
    level_1 = set(Notification.objects.filter(kind=Kind.OVERDUE).values_list("recipient", flat=True))
    due_actions_fire(now=at(4, 21, 16, 31))
    level_2 = set(Notification.objects.filter(kind=Kind.ESCALATED).values_list("recipient", flat=True))
    due_actions_fire(now=at(4, 22, 16, 31))
    level_3 = (
        set(Notification.objects.filter(kind=Kind.ESCALATED).values_list("recipient", flat=True)) - level_2
    )

    assert level_1 == {people["officer"].user.pk, people["director"].user.pk}
    assert level_2 == {people["head"].user.pk}
    assert level_3 == {people["central"].user.pk}
    escalation = TimelineEntry.objects.filter(kind=TimelineEntry.Kind.ESCALATION).first()
    with translation.override("th"):
        text = describe(escalation)
    assert "16:30 น. 20 เม.ย. 2569" in text or "20 เม.ย. 2569 16:30 น." in text
    assert "ตามเกณฑ์กำหนดเวลา ฉบับที่ 1" in text


def test_an_acting_deputy_is_told_instead_of_the_director_on_their_days(
    policy: DeadlinePolicy, people: dict[str, Officer], case: District, chiang_mai: Province
) -> None:
    deputy = OfficerFactory(province=chiang_mai)
    ActingDeputy.objects.create(
        province=chiang_mai,
        deputy=deputy,
        start_date=datetime.date(2026, 4, 20),
        end_date=datetime.date(2026, 4, 24),
    )
    start(case, people)

    due_actions_fire(now=at(4, 20, 16, 31))

    told = set(Notification.objects.filter(kind=Kind.OVERDUE).values_list("recipient", flat=True))
    assert told == {people["officer"].user.pk, deputy.user.pk}


def test_a_task_done_in_time_cancels_its_reminders_and_escalations(
    policy: DeadlinePolicy, people: dict[str, Officer], case: District
) -> None:
    deadline = start(case, people)

    deadline_close(task=people["officer"], now=at(4, 16))
    report = due_actions_fire(now=at(4, 30))

    assert report.fired == 0
    assert set(deadline.actions.values_list("status", flat=True)) == {ScheduledAction.Status.CANCELLED}
    assert not Notification.objects.exists()


def test_a_reassigned_task_keeps_its_deadline_and_reminds_the_new_assignee(
    policy: DeadlinePolicy, people: dict[str, Officer], case: District, chiang_mai: Province
) -> None:
    deadline = start(case, people)
    colleague = OfficerFactory(province=chiang_mai)

    deadline_reassign(
        task=people["officer"], assignee=colleague.user, by=people["head"].user, now=at(4, 16), reason="ลาป่วย"
    )
    due_actions_fire(now=at(4, 17, 9))

    deadline.refresh_from_db()
    assert deadline.due_at == at(4, 20, 16, 30)
    reminder = Notification.objects.get(kind=Kind.DUE_SOON)
    assert reminder.recipient == colleague.user
    entry = TimelineEntry.objects.get(kind=TimelineEntry.Kind.REASSIGNED)
    assert entry.actor == people["head"].user
    assert entry.data["reason"] == "ลาป่วย"


def test_a_task_keeps_its_policy_version_until_staff_apply_a_new_one(
    policy: DeadlinePolicy, people: dict[str, Officer], case: District
) -> None:
    deadline = start(case, people)
    policy.is_active = False
    policy.save()
    v2 = DeadlinePolicy.objects.create(version=2, name="เข้มงวดขึ้น", is_active=True)
    policy_define_step(policy=v2, step=STEP, working_days={**DAYS, Urgency.NORMAL: 5})

    later = start(case, people, who="head", now=at(4, 10))
    deadline.refresh_from_db()
    changes = policy_preview(policy=v2)

    assert deadline.due_at == at(4, 20, 16, 30)  # unchanged by the new version
    assert later.due_at == at(4, 22, 16, 30)  # new tasks take v2
    assert [(c.deadline.pk, c.old_due, c.new_due) for c in changes] == [
        (deadline.pk, at(4, 20, 16, 30), at(4, 22, 16, 30))
    ]

    policy_apply_to_open(policy=v2, by=people["central"].user, now=at(4, 16))

    deadline.refresh_from_db()
    assert deadline.due_at == at(4, 22, 16, 30)
    assert deadline.rule.policy == v2
    assert ("ESCALATION", 1, at(4, 22, 16, 30)) in schedule(deadline)
    assert TimelineEntry.objects.filter(kind=TimelineEntry.Kind.DEADLINE_MOVED).count() == 1


def test_a_failing_action_is_recorded_and_can_be_retried(
    policy: DeadlinePolicy, people: dict[str, Officer], case: District
) -> None:
    deadline = start(case, people)
    Deadline.objects.filter(pk=deadline.pk).update(case_id=999_999)  # the case is gone

    report = due_actions_fire(now=at(4, 17, 9))

    assert report.failed == 1
    failed = ScheduledAction.objects.get(status=ScheduledAction.Status.FAILED)
    assert "gone" in failed.error

    Deadline.objects.filter(pk=deadline.pk).update(case_id=case.pk)
    assert failed_action_retry(action_ids=[failed.pk]) == 1
    assert due_actions_fire(now=at(4, 17, 9, 5)).fired == 1


def test_escalation_email_goes_out_at_once_but_a_weekend_reminder_waits_for_monday(
    policy: DeadlinePolicy, people: dict[str, Officer], case: District
) -> None:
    from notifications.services import notify

    saturday = at(4, 18, 10)
    notify(recipients=[people["officer"].user], kind=Kind.DUE_SOON, context={"subject": "x"}, now=saturday)
    notify(
        recipients=[people["officer"].user],
        kind=Kind.ESCALATED,
        context={"subject": "y", "level": 2},
        now=saturday,
    )

    held = Delivery.objects.get(notification__kind=Kind.DUE_SOON)
    at_once = Delivery.objects.get(notification__kind=Kind.ESCALATED)
    assert held.not_before == at(4, 20, 8, 30)
    assert at_once.not_before == saturday
    assert len(mail.outbox) == 0  # nothing is sent inside the transaction: workers deliver


@contextlib.contextmanager
def timeline_refused_for(case: District) -> Iterator[None]:
    """The database refuses the timeline entries of one case (as a constraint added later would): a real
    database error on one row of a batch."""
    table = TimelineEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_entry() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'entry refused by the database'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_entry BEFORE INSERT ON {table} FOR EACH ROW "
                f"WHEN (NEW.case_id = {case.pk}) EXECUTE FUNCTION refuse_entry()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse_entry BEFORE INSERT ON {table} WHEN NEW.case_id = {case.pk} "
                "BEGIN SELECT RAISE(ABORT, 'entry refused by the database'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER refuse_entry ON {table}")
                cursor.execute("DROP FUNCTION refuse_entry()")
            else:
                cursor.execute("DROP TRIGGER refuse_entry")


def test_a_database_error_on_one_action_fails_that_one_and_fires_the_rest_of_its_batch(
    policy: DeadlinePolicy, people: dict[str, Officer], case: District
) -> None:
    refused = District.objects.get(code="5002")
    start(case, people, who="officer")
    start(refused, people, who="head")

    with timeline_refused_for(refused):
        report = due_actions_fire(now=at(4, 17, 9))

    assert (report.fired, report.failed) == (1, 1)
    failed = ScheduledAction.objects.get(status=ScheduledAction.Status.FAILED)
    assert failed.deadline.case_id == refused.pk
    assert "entry refused by the database" in failed.error
    assert ScheduledAction.objects.get(status=ScheduledAction.Status.FIRED).deadline.case_id == case.pk
    assert list(
        TimelineEntry.objects.filter(kind=TimelineEntry.Kind.REMINDER).values_list("case_id", flat=True)
    ) == [case.pk]
    assert list(Notification.objects.values_list("recipient", flat=True)) == [people["officer"].user.pk]
    assert due_actions_fire(now=at(4, 17, 9, 1)).failed == 0  # the next run does not meet it again
