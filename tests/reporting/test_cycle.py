"""The reporting cycle end to end through the services, on a fixed clock (issue 5: fill, submit, return,
resubmit, approve, remind, escalate, extend, reopen, close; the frozen indicator list; bad input)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from deadlines.models import Deadline, ScheduledAction, TimelineEntry
from deadlines.services.deadlines import due_actions_fire
from deadlines.timeline_text import describe
from flows.task_life import TaskUnavailable
from notifications.models import Kind, Notification
from reporting.defaults import FILL_STEP, REVIEW_STEP
from reporting.models import DistrictReport, Indicator, ReportStatus, ReportValue
from reporting.services import cycles
from reporting.services.reports import (
    ReportConflict,
    ReportError,
    ReportInput,
    ReportInvalid,
    open_task,
    report_approve,
    report_reopen,
    report_return,
    report_save_draft,
    report_submit,
    report_values,
    reports_extend,
)
from tests.reporting.conftest import DUE, full_input, report_of
from workdays.calendar import BANGKOK, fiscal_year


def at(day: int, hour: int = 9, minute: int = 0, month: int = 6) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=BANGKOK)


def fresh(report: DistrictReport) -> DistrictReport:
    return DistrictReport.objects.select_related("cycle", "province", "district").get(pk=report.pk)


def open_deadline(report: DistrictReport) -> Deadline | None:
    task = open_task(report)
    if task is None:
        return None
    return Deadline.objects.filter(
        task_type=ContentType.objects.get_for_model(Task), task_id=task.pk, status=Deadline.Status.OPEN
    ).first()


def notices(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


# Creating a cycle: the frozen list


def test_a_cycle_freezes_the_indicators_it_was_created_with(org, new_cycle):
    cycle = new_cycle()
    asked = list(cycle.indicators.values_list("code", "name_th"))
    assert len(asked) == Indicator.objects.filter(is_active=True).count() >= 20

    first = Indicator.objects.get(code=asked[0][0])
    first.name_th = "ชื่อใหม่หลังเปิดรอบ"
    first.save()
    Indicator.objects.filter(code=asked[1][0]).update(is_active=False)
    Indicator.objects.create(area=first.area, code="new-one", name_th="ตัวชี้วัดใหม่", name_en="New", unit="เรื่อง")

    assert list(cycle.indicators.values_list("code", "name_th")) == asked  # unchanged
    later = new_cycle(label="ไตรมาส 4/2569")
    later_codes = set(later.indicators.values_list("code", flat=True))
    assert "new-one" in later_codes and asked[1][0] not in later_codes
    assert later.indicators.get(code=asked[0][0]).name_th == "ชื่อใหม่หลังเปิดรอบ"


def test_a_cycle_with_bad_dates_or_a_repeated_label_is_refused_with_messages(org, new_cycle):
    new_cycle()
    with pytest.raises(ReportInvalid) as refused:
        new_cycle(
            fiscal_year=2026,
            period_end=datetime.date(2026, 3, 1),
            closes_on=datetime.date(2026, 6, 1),
        )
    assert set(refused.value.errors) == {"fiscal_year", "period_end", "closes_on"}
    with pytest.raises(ReportInvalid) as repeated:
        new_cycle()
    assert set(repeated.value.errors) == {"label"}


def test_the_original_deadline_is_the_end_of_office_hours_on_the_closing_date(small_cycle):
    assert small_cycle.due_at == DUE
    assert small_cycle.fiscal_year == fiscal_year(datetime.date(2026, 6, 1)) == 2569
    assert fiscal_year(datetime.date(2025, 10, 1)) == 2569


# Opening (the small cycle opens two provinces the way the spawn does)


def test_each_district_goes_to_its_officer_and_a_district_nobody_holds_to_the_director(org, small_cycle):
    mine = report_of(small_cycle, org.district)
    assert (mine.assignee, mine.officer, mine.unassigned) == (org.officer, org.officer.officer, False)
    nobody = small_cycle.reports.filter(province=org.chiang_mai, unassigned=True)
    assert nobody.count() == 23  # Chiang Mai: 25 districts, 2 with an officer
    assert set(nobody.values_list("assignee", flat=True)) == {org.director.pk}
    task = open_task(mine, "fill")
    assert task is not None and (task.status, task.owner) == (STATUS.ASSIGNED, org.officer)
    entry = TimelineEntry.objects.filter(
        case_type=ContentType.objects.get_for_model(DistrictReport), case_id=nobody.first().pk, kind="STEP"
    ).first()
    assert "อำเภอนี้ไม่มีผู้รับผิดชอบ" in describe(entry)


def test_every_report_is_due_at_the_closing_date_with_reminders_five_and_one_working_days_before(
    org, small_cycle
):
    deadline = open_deadline(report_of(small_cycle, org.district))
    assert deadline is not None and deadline.due_at == DUE and deadline.step == FILL_STEP
    actions = {(a.kind, a.position): a.fire_at for a in deadline.actions.all()}
    assert actions == {
        ("REMINDER", 5): at(19, 8, 30),  # Friday 19 June: five working days before Friday 26 June
        ("REMINDER", 1): at(25, 8, 30),
        ("ESCALATION", 1): DUE,  # the officer and the group director
        ("ESCALATION", 2): at(30, 16, 30),  # two working days later: the provincial head
    }


def test_the_holder_is_told_when_the_cycle_opens(org, small_cycle):
    assert len(notices(org.officer, Kind.TASK_ASSIGNED)) == 1
    assert len(notices(org.director, Kind.TASK_ASSIGNED)) == 23 + 0  # the districts nobody holds


# Filling in


def test_a_draft_keeps_what_was_typed_even_incomplete(org, small_cycle):
    report = report_of(small_cycle, org.district)
    first = small_cycle.indicators.first()
    saved = report_save_draft(
        report=report,
        data=ReportInput(raw={first.field_name: "๑,๒๐๐", "letters_sent_office": " 45 "}, revision=0),
        by=org.officer,
    )
    assert (saved.status, saved.revision) == (ReportStatus.DRAFT, 1)
    values = report_values(fresh(saved))
    assert values[first.field_name] == 1200 and values["letters_sent_office"] == 45
    assert values["letters_received_office"] is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-3", "ติดลบ"),
        ("2.5", "ทศนิยม"),
        ("abc", "กรอกเป็นตัวเลข"),
        ("1e3", "กรอกเป็นตัวเลข"),
        ("12 ครั้ง", "กรอกเป็นตัวเลข"),
    ],
)
def test_badly_typed_counts_are_refused_next_to_the_field_and_nothing_is_saved(
    org, small_cycle, typed, message
):
    report = report_of(small_cycle, org.district)
    first = small_cycle.indicators.first()
    with pytest.raises(ReportInvalid) as refused:
        report_save_draft(
            report=report,
            data=ReportInput(raw={first.field_name: typed, "letters_sent_local": "7"}, revision=0),
            by=org.officer,
        )
    assert list(refused.value.errors) == [first.field_name]
    assert message in refused.value.errors[first.field_name]
    assert fresh(report).revision == 0 and not ReportValue.objects.filter(report=report).exists()


def test_submitting_checks_every_required_value_and_keeps_the_rest_as_a_draft(org, small_cycle):
    report = report_of(small_cycle, org.district)
    data = full_input(report, letters_sent_local="")
    first = small_cycle.indicators.first()
    data.raw[first.field_name] = ""
    with pytest.raises(ReportInvalid) as refused:
        report_submit(report=report, data=data, by=org.officer)
    assert set(refused.value.errors) == {first.field_name, "letters_sent_local"}
    kept = fresh(report)
    assert kept.status == ReportStatus.DRAFT and refused.value.saved_revision == kept.revision == 1
    assert report_values(kept)["letters_received_local"] == 3


def test_a_value_above_its_bound_needs_a_confirmation(org, small_cycle):
    report = report_of(small_cycle, org.district)
    bounded = small_cycle.indicators.filter(upper_bound__isnull=False).first()
    data = full_input(report, **{bounded.field_name: str(bounded.upper_bound + 1)})
    with pytest.raises(ReportInvalid) as refused:
        report_submit(report=report, data=data, by=org.officer)
    assert list(refused.value.errors) == [bounded.field_name]
    assert refused.value.saved_revision is not None
    data.revision = refused.value.saved_revision
    data.confirmed = {bounded.field_name}
    submitted = report_submit(report=report, data=data, by=org.officer)
    assert submitted.status == ReportStatus.SUBMITTED
    assert report_values(fresh(report))[bounded.field_name] == bounded.upper_bound + 1


def test_a_save_from_an_older_page_is_refused_and_overwrites_nothing(org, small_cycle):
    report = report_of(small_cycle, org.district)
    first = small_cycle.indicators.first()
    report_save_draft(
        report=report, data=ReportInput(raw={first.field_name: "10"}, revision=0), by=org.officer
    )
    with pytest.raises(ReportConflict):  # the second tab still shows revision 0
        report_save_draft(
            report=report, data=ReportInput(raw={first.field_name: "99"}, revision=0), by=org.officer
        )
    assert report_values(fresh(report))[first.field_name] == 10


def test_only_the_holder_may_fill_a_report(org, small_cycle):
    report = report_of(small_cycle, org.district)
    for someone in (org.neighbour, org.director, org.central, org.lp_officer):
        with pytest.raises(ReportError):
            report_save_draft(report=report, data=full_input(report), by=someone)
    assert fresh(report).status == ReportStatus.NOT_STARTED


# Review: return, resubmit, approve


def test_submit_return_resubmit_approve(org, small_cycle, clock):
    report = report_of(small_cycle, org.district)
    submitted = report_submit(report=report, data=full_input(report), by=org.officer)
    assert (submitted.status, submitted.complete, submitted.late) == (ReportStatus.SUBMITTED, False, False)
    review = open_task(submitted, "review")
    assert review is not None and review.owner == org.director
    assert open_deadline(submitted).step == REVIEW_STEP
    assert len(notices(org.director, Kind.TASK_ASSIGNED)) == 23 + 1
    with pytest.raises(ReportError):  # submitted: waits for the director
        report_save_draft(report=report, data=full_input(fresh(report)), by=org.officer)

    with pytest.raises(ReportInvalid):  # a return says what to fix
        report_return(report=fresh(report), by=org.director, general=" ", comments={})
    with pytest.raises(ReportError):  # not the director's colleague in another province
        report_return(report=fresh(report), by=org.lp_director, general="x", comments={})
    clock.move_to(at(9))
    returned = report_return(
        report=fresh(report),
        by=org.director,
        general="ตรวจสอบจำนวนหนังสือส่งอีกครั้ง",
        comments={"letters_sent_local": "ตัวเลขต่ำกว่าไตรมาสก่อนมาก", "unknown": "dropped"},
    )
    assert returned.status == ReportStatus.RETURNED
    assert returned.review_comments == {
        "general": "ตรวจสอบจำนวนหนังสือส่งอีกครั้ง",
        "fields": {"letters_sent_local": "ตัวเลขต่ำกว่าไตรมาสก่อนมาก"},
    }
    fill = open_task(returned, "fill")
    assert fill is not None and fill.owner == org.officer
    assert open_deadline(returned).due_at == DUE  # the report's own deadline still holds
    assert len(notices(org.officer, Kind.RETURNED)) == 1

    clock.move_to(at(10))
    again = report_submit(report=returned, data=full_input(returned, letters_sent_local="40"), by=org.officer)
    assert again.status == ReportStatus.SUBMITTED and again.review_comments == {}
    approved = report_approve(report=fresh(report), by=org.director)
    assert (approved.status, approved.complete) == (ReportStatus.APPROVED, True)
    assert open_task(approved).flow_task.name == "complete"  # waits for a reopening or the close
    assert open_deadline(approved) is None
    with pytest.raises(ReportError):  # approved: no more edits
        report_save_draft(report=approved, data=full_input(fresh(report)), by=org.officer)
    approve_twice = pytest.raises(TaskUnavailable)  # a lost race: the shared task life's one error
    with approve_twice:  # a double click on approve
        report_approve(report=fresh(report), by=org.director)
    events = [
        e.data.get("event")
        for e in TimelineEntry.objects.filter(
            case_type=ContentType.objects.get_for_model(DistrictReport), case_id=report.pk, kind="STEP"
        )
    ]
    assert events == [
        "report_opened",
        "report_submitted",
        "report_returned",
        "report_submitted",
        "report_approved",
    ]


def test_without_director_review_a_submitted_report_is_complete(org, new_cycle):
    from tests.reporting.conftest import open_for

    cycle = open_for(new_cycle(review_required=False), [org.chiang_mai])
    report = report_of(cycle, org.district)
    submitted = report_submit(report=report, data=full_input(report), by=org.officer)
    assert (submitted.status, submitted.complete) == (ReportStatus.SUBMITTED, True)
    assert open_task(submitted).flow_task.name == "complete"


# Reminders and the escalation ladder


def test_reminders_then_escalation_to_the_director_then_the_provincial_head(org, small_cycle, clock):
    report = report_of(small_cycle, org.district)
    clock.move_to(at(19, 8, 31))
    due_actions_fire(now=at(19, 8, 31))
    assert len(notices(org.officer, Kind.DUE_SOON)) == 1
    clock.move_to(at(25, 8, 31))
    due_actions_fire(now=at(25, 8, 31))
    assert len(notices(org.officer, Kind.DUE_SOON)) == 2
    assert notices(org.director, Kind.OVERDUE) == []

    clock.move_to(at(26, 16, 31))
    due_actions_fire(now=at(26, 16, 31))
    assert len(notices(org.officer, Kind.OVERDUE)) == 1
    # About the two districts with an officer; the 23 the director holds himself start at level 2.
    assert len(notices(org.director, Kind.OVERDUE)) == 2
    assert notices(org.head, Kind.ESCALATED) == []

    clock.move_to(at(30, 16, 31))
    due_actions_fire(now=at(30, 16, 31))
    head_notices = notices(org.head, Kind.ESCALATED)
    assert len(head_notices) == 25  # every Chiang Mai report, none submitted
    assert str(report.district.name_th) in " ".join(n.context["subject"] for n in head_notices)
    assert notices(org.lp_head, Kind.ESCALATED) != [] and all(
        "เชียงใหม่" not in n.context.get("subject", "") for n in notices(org.lp_head, Kind.ESCALATED)
    )


def test_a_submitted_report_is_neither_reminded_nor_escalated(org, small_cycle, clock):
    report = report_of(small_cycle, org.district)
    report_submit(report=report, data=full_input(report), by=org.officer)
    report_approve(report=fresh(report), by=org.director)
    clock.move_to(at(30, 16, 31))
    due_actions_fire(now=at(30, 16, 31))
    assert notices(org.officer, Kind.DUE_SOON) == notices(org.officer, Kind.OVERDUE) == []


# Deadline passed, extensions, late


def test_after_the_deadline_a_report_cannot_be_submitted_without_an_extension(org, small_cycle, clock):
    report = report_of(small_cycle, org.district)
    clock.move_to(at(29, 10))
    with pytest.raises(ReportError) as refused:
        report_submit(report=report, data=full_input(report), by=org.officer)
    assert not isinstance(refused.value, ReportInvalid)
    kept = fresh(report)
    assert kept.status == ReportStatus.DRAFT and report_values(kept)["letters_sent_local"] == 3  # not lost

    extended = reports_extend(
        reports=DistrictReport.objects.filter(pk=report.pk),
        until=datetime.date(2026, 7, 3),
        by=org.central,
        reason="น้ำท่วมสำนักงาน",
    )
    assert extended == 1
    kept = fresh(report)
    assert kept.due_at == at(3, 16, 30, month=7) and kept.extension_reason == "น้ำท่วมสำนักงาน"
    deadline = open_deadline(kept)
    assert deadline.due_at == kept.due_at
    pending = set(
        deadline.actions.filter(status=ScheduledAction.Status.PENDING).values_list(
            "kind", "position", "fire_at"
        )
    )
    assert ("ESCALATION", 2, at(7, 16, 30, month=7)) in pending
    moved = TimelineEntry.objects.filter(
        case_type=ContentType.objects.get_for_model(DistrictReport), case_id=report.pk, kind="DEADLINE_MOVED"
    ).get()
    assert "น้ำท่วมสำนักงาน" in describe(moved)

    submitted = report_submit(report=kept, data=full_input(kept), by=org.officer)
    # After the original deadline but by its own: not late, within the extension (issue 11).
    assert submitted.status == ReportStatus.SUBMITTED
    assert (submitted.late, submitted.within_extension) == (False, True)


def test_a_province_extension_moves_only_the_reports_not_complete(org, small_cycle):
    done = report_of(small_cycle, org.district)
    report_submit(report=done, data=full_input(done), by=org.officer)
    report_approve(report=fresh(done), by=org.director)
    count = reports_extend(
        reports=small_cycle.reports.filter(province=org.chiang_mai),
        until=datetime.date(2026, 7, 10),
        by=org.central,
        reason="อุทกภัย",
    )
    assert count == 24
    assert fresh(done).due_at == DUE
    assert set(
        small_cycle.reports.filter(province=org.chiang_mai, complete=False).values_list("due_at", flat=True)
    ) == {at(10, 16, 30, month=7)}
    assert set(small_cycle.reports.filter(province=org.lamphun).values_list("due_at", flat=True)) == {DUE}


def test_an_extension_needs_a_reason_and_a_future_date(org, small_cycle, clock):
    reports = small_cycle.reports.filter(province=org.chiang_mai)
    with pytest.raises(ReportInvalid) as no_reason:
        reports_extend(reports=reports, until=datetime.date(2026, 7, 3), by=org.central, reason="")
    assert "reason" in no_reason.value.errors
    with pytest.raises(ReportInvalid) as past:
        reports_extend(reports=reports, until=datetime.date(2026, 6, 1), by=org.central, reason="x")
    assert "until" in past.value.errors


# Reopen and close


def test_the_centre_reopens_an_approved_report_and_the_officer_corrects_it(org, small_cycle, clock):
    report = report_of(small_cycle, org.district)
    report_submit(report=report, data=full_input(report), by=org.officer)
    report_approve(report=fresh(report), by=org.director)
    with pytest.raises(ReportInvalid):
        report_reopen(report=fresh(report), by=org.central, reason="")
    reopened = report_reopen(report=fresh(report), by=org.central, reason="ตัวเลขเรื่องร้องเรียนซ้ำกับอำเภออื่น")
    assert (reopened.status, reopened.complete) == (ReportStatus.RETURNED, False)
    assert reopened.review_comments["general"] == "ตัวเลขเรื่องร้องเรียนซ้ำกับอำเภออื่น"
    assert open_task(reopened, "fill").owner == org.officer
    with pytest.raises(ReportError):  # reopening twice: it is no longer complete
        report_reopen(report=fresh(report), by=org.central, reason="again")
    clock.move_to(at(29, 10))  # after the deadline: a correction of a report submitted on time is allowed
    corrected = report_submit(report=fresh(report), data=full_input(fresh(report), value="4"), by=org.officer)
    assert corrected.status == ReportStatus.SUBMITTED and corrected.late is False


def test_closing_makes_the_cycle_read_only_and_stops_the_reminders(org, small_cycle, clock):
    report = report_of(small_cycle, org.district)
    report_save_draft(report=report, data=full_input(report), by=org.officer)
    closed = cycles.cycle_close(cycle=small_cycle, by=org.central)
    assert closed.status == "CLOSED" and closed.closed_by == org.central
    assert cycles.cycle_close(cycle=small_cycle, by=org.central).closed_at == closed.closed_at  # twice: no-op

    with pytest.raises(ReportError, match="ปิดแล้ว"):
        report_submit(report=fresh(report), data=full_input(fresh(report)), by=org.officer)
    with pytest.raises(ReportError, match="ปิดแล้ว"):
        report_save_draft(report=fresh(report), data=full_input(fresh(report)), by=org.officer)
    with pytest.raises(ReportError, match="ปิดแล้ว"):
        reports_extend(
            reports=small_cycle.reports.all(), until=datetime.date(2026, 7, 3), by=org.central, reason="x"
        )
    assert fresh(report).status == ReportStatus.DRAFT  # stays where it stood
    process_ids = small_cycle.reports.values_list("process_id", flat=True)
    assert not Task.objects.filter(
        process__in=process_ids, status__in=["NEW", "ASSIGNED", "STARTED"]
    ).exists()
    assert set(Process.objects.filter(pk__in=process_ids).values_list("status", flat=True)) == {"DONE"}
    assert not ScheduledAction.objects.filter(
        deadline__case_type=ContentType.objects.get_for_model(DistrictReport),
        status=ScheduledAction.Status.PENDING,
    ).exists()
    clock.move_to(at(30, 16, 31))
    assert due_actions_fire(now=at(30, 16, 31)).fired == 0
    assert len(notices(org.officer, Kind.CYCLE_CLOSED)) == 1
    cycle_process = Process.objects.get(pk=small_cycle.process_id)
    assert cycle_process.status == "DONE"


def test_directors_and_heads_hear_one_working_day_before_the_close_how_many_reports_are_missing(
    org, small_cycle, clock
):
    from reporting.services.notices import closing_soon_notify

    # Lamphun completes every report; Chiang Mai does not.
    for report in small_cycle.reports.filter(province=org.lamphun):
        DistrictReport.objects.filter(pk=report.pk).update(complete=True, status=ReportStatus.APPROVED)
    assert closing_soon_notify(now=at(24, 17)) == 0  # too early
    assert closing_soon_notify(now=at(25, 8, 31)) == 2
    director, head = (
        notices(org.director, Kind.CYCLE_CLOSING_SOON),
        notices(org.head, Kind.CYCLE_CLOSING_SOON),
    )
    assert len(director) == len(head) == 1 and director[0].context["missing"] == 25
    assert director[0].context["url"] == f"/reports/cycles/{small_cycle.pk}/provinces/{org.chiang_mai.pk}/"
    assert notices(org.lp_director, Kind.CYCLE_CLOSING_SOON) == []
    assert closing_soon_notify(now=at(25, 9)) == 0  # once per cycle


@pytest.mark.django_db(transaction=True)
def test_when_the_acting_deputys_days_end_the_director_takes_over_the_review(org, small_cycle, clock):
    from organisation.models import ActingDeputy

    ActingDeputy.objects.create(
        province=org.chiang_mai,
        deputy=org.head.officer,
        start_date=datetime.date(2026, 6, 8),
        end_date=datetime.date(2026, 6, 9),
    )
    report = report_of(small_cycle, org.district)
    report_submit(report=report, data=full_input(report), by=org.officer)
    assert open_task(fresh(report), "review").owner == org.head  # acting for the director today
    clock.move_to(at(10))  # the deputy's days are over: the task is still his, and the director may take it
    with pytest.raises(ReportError):  # never the reviewer
        report_approve(report=fresh(report), by=org.lp_director)
    approved = report_approve(report=fresh(report), by=org.director)
    assert approved.status == ReportStatus.APPROVED
    assert open_task(approved).flow_task.name == "complete"
    assert Task.objects.filter(process_id=report.process_id, flow_task_type="HUMAN").order_by("-pk")[
        0
    ].owner == (org.director)


def test_the_beat_schedule_runs_the_cycle_jobs(settings):
    from project.celery import app

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"reporting.tasks.open_due_cycles", "reporting.tasks.notify_closing_soon"} <= tasks
    app.loader.import_default_modules()
    assert tasks <= set(app.tasks)
