"""Every branch of the coordination request, on a fixed clock, through the viewflow engine."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.timers import fire_due_timers

from cases.models import CoordinationRequest, RequestStatus
from cases.services import requests as services
from deadlines.models import Deadline, ScheduledAction, TimelineEntry
from deadlines.services.deadlines import due_actions_fire
from notifications.models import Notification
from organisation.models import ActingDeputy
from organisation.selectors.roles import user_scope
from tests.coordination import Org, fresh, request_input, sent_request
from workdays.calendar import BANGKOK

pytestmark = pytest.mark.django_db


def open_task(request: CoordinationRequest) -> Task:
    return Task.objects.get(
        process_id=request.process_id, flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]
    )


def events(request: CoordinationRequest) -> list[str]:
    return [
        e.data.get("event", e.kind)
        for e in TimelineEntry.objects.filter(
            case_type=ContentType.objects.get_for_model(CoordinationRequest), case_id=request.pk
        ).exclude(kind__in=[TimelineEntry.Kind.DEADLINE_SET])
    ]


def test_sending_numbers_the_request_and_gives_it_to_the_group_director_with_a_deadline(org: Org) -> None:
    request = sent_request(org)
    assert request.number == "ปส.ชม. 1/2569"
    assert request.status == RequestStatus.REVIEW
    assert request.holder == org.director
    task = open_task(request)
    assert task.flow_task.name == "review" and task.owner == org.director
    deadline = Deadline.objects.get(task_id=task.pk, status=Deadline.Status.OPEN)
    assert deadline.step == "coordination.review"
    # 3 working days after Monday 8 June: close of office on Thursday 11 June.
    assert deadline.due_at == datetime.datetime(2026, 6, 11, 16, 30, tzinfo=BANGKOK)
    assert request.due_at == deadline.due_at
    assert Notification.objects.filter(recipient=org.director, kind="task_assigned").exists()
    second = sent_request(org)
    assert second.number == "ปส.ชม. 2/2569"


def test_the_running_number_starts_again_in_a_new_fiscal_year(
    org: Org, clock: time_machine.Traveller
) -> None:
    clock.move_to(datetime.datetime(2026, 9, 30, 10, 0, tzinfo=BANGKOK))
    assert sent_request(org).number == "ปส.ชม. 1/2569"
    clock.move_to(datetime.datetime(2026, 10, 1, 10, 0, tzinfo=BANGKOK))
    assert sent_request(org).number == "ปส.ชม. 1/2570"


def test_approve_route_to_a_bureau_pool_claim_and_answer_then_accept(org: Org) -> None:
    request = sent_request(org)
    services.request_route(request=request, task_id=open_task(request).pk, by=org.director, comment="ส่งสำนัก")
    request = fresh(request)
    assert request.status == RequestStatus.AT_TARGET
    assert request.holder is None and request.holder_unit == org.bureau
    task = open_task(request)
    assert task.flow_task.name == "handle" and task.status == STATUS.NEW
    # 10 working days for a normal request's answer
    assert Deadline.objects.get(task_id=task.pk).due_at.date() == datetime.date(2026, 6, 22)
    with pytest.raises(services.RequestError):
        services.request_claim(request=request, task_id=task.pk, by=org.other_desk)
    services.request_claim(request=request, task_id=task.pk, by=org.desk)
    with pytest.raises(
        services.TaskUnavailable, match=org.desk.officer.first_name_th
    ):  # "… has just claimed it"
        services.request_claim(request=request, task_id=task.pk, by=org.desk2)
    services.request_answer(request=request, task_id=task.pk, by=org.desk, answer="เบิกจ่ายได้ตามระเบียบฯ ข้อ 9")
    request = fresh(request)
    assert request.status == RequestStatus.ANSWERED and request.holder == org.officer
    assert request.answered_by == org.desk
    services.request_accept(request=request, task_id=open_task(request).pk, by=org.officer)
    request = fresh(request)
    assert request.status == RequestStatus.CLOSED and not request.closed_automatically
    assert request.process.status == PROCESS.DONE
    assert not Deadline.objects.filter(case_id=request.pk, status=Deadline.Status.OPEN).exists()
    assert events(request) == ["sent", "routed", "claimed", "answered", "accepted"]


def test_release_puts_the_request_back_in_the_pool(org: Org) -> None:
    request = sent_request(org)
    services.request_route(request=request, task_id=open_task(request).pk, by=org.director)
    task = open_task(request)
    services.request_claim(request=fresh(request), task_id=task.pk, by=org.desk)
    services.request_release(request=fresh(request), task_id=task.pk, by=org.desk)
    request = fresh(request)
    assert request.holder is None and request.holder_unit == org.bureau
    services.request_claim(request=request, task_id=task.pk, by=org.desk2)
    assert fresh(request).holder == org.desk2


def test_the_director_may_change_the_target_when_routing(org: Org) -> None:
    request = sent_request(org)
    services.request_route(
        request=request, task_id=open_task(request).pk, by=org.director, target_province=org.lamphun
    )
    request = fresh(request)
    assert request.target_province == org.lamphun and request.target_unit is None
    assert request.holder == org.lp_director and request.holder_province == org.lamphun
    with pytest.raises(services.RequestError):
        other = sent_request(org)
        services.request_route(
            request=other, task_id=open_task(other).pk, by=org.director, target_province=org.chiang_mai
        )


def test_return_and_resend(org: Org) -> None:
    request = sent_request(org)
    services.request_return(
        request=request, task_id=open_task(request).pk, by=org.director, reason="แนบหนังสือ"
    )
    request = fresh(request)
    assert request.status == RequestStatus.RETURNED and request.holder == org.officer
    assert Notification.objects.filter(recipient=org.officer, kind="returned").exists()
    data = request_input(org, subject="ขอหารือ (แก้ไข)")
    services.request_resend(request=request, task_id=open_task(request).pk, by=org.officer, data=data)
    request = fresh(request)
    assert request.status == RequestStatus.REVIEW and request.subject == "ขอหารือ (แก้ไข)"
    assert request.holder == org.director
    assert request.number == "ปส.ชม. 1/2569"  # the number stays


def test_reject_with_a_reason(org: Org) -> None:
    request = sent_request(org)
    with pytest.raises(ValidationError):
        services.request_reject(request=request, task_id=open_task(request).pk, by=org.director, reason="  ")
    services.request_reject(request=request, task_id=open_task(request).pk, by=org.director, reason="ซ้ำ")
    request = fresh(request)
    assert request.status == RequestStatus.REJECTED and request.reason == "ซ้ำ"
    assert request.process.status == PROCESS.DONE
    assert Notification.objects.filter(recipient=org.officer, kind="closed").exists()


def test_direct_answer_by_the_director_and_a_reopening_goes_back_to_the_director(org: Org) -> None:
    request = sent_request(org)
    services.request_answer(request=request, task_id=open_task(request).pk, by=org.director, answer="ตอบเอง")
    request = fresh(request)
    assert request.status == RequestStatus.ANSWERED
    services.request_reopen(request=request, task_id=open_task(request).pk, by=org.officer, reason="ยังไม่ชัด")
    request = fresh(request)
    assert request.status == RequestStatus.AT_TARGET and request.holder == org.director
    assert request.holder_province == org.chiang_mai
    services.request_answer(request=request, task_id=open_task(request).pk, by=org.director, answer="ชัดแล้ว")
    request = fresh(request)
    with pytest.raises(services.RequestError, match="ครั้งเดียว"):  # "only once"
        services.request_reopen(request=request, task_id=open_task(request).pk, by=org.officer, reason="อีก")
    services.request_accept(request=request, task_id=open_task(request).pk, by=org.officer)
    assert fresh(request).status == RequestStatus.CLOSED


def test_hand_on_to_a_district_officer_of_the_target_province(org: Org) -> None:
    request = sent_request(org, target=org.lamphun)
    services.request_route(request=request, task_id=open_task(request).pk, by=org.director)
    request = fresh(request)
    assert request.holder == org.lp_director
    with pytest.raises(services.RequestError):  # not an officer of Lamphun
        services.request_hand_on(
            request=request, task_id=open_task(request).pk, by=org.lp_director, officer=org.neighbour.officer
        )
    services.request_hand_on(
        request=request, task_id=open_task(request).pk, by=org.lp_director, officer=org.lp_officer.officer
    )
    request = fresh(request)
    assert request.status == RequestStatus.HANDED_ON and request.holder == org.lp_officer
    services.request_answer(request=request, task_id=open_task(request).pk, by=org.lp_officer, answer="ตอบ")
    request = fresh(request)
    assert request.status == RequestStatus.ANSWERED and request.answered_by == org.lp_officer
    # A reopening goes back to the handler (the director who handed it on).
    services.request_reopen(request=request, task_id=open_task(request).pk, by=org.officer, reason="ขอเพิ่ม")
    assert fresh(request).holder == org.lp_director


def test_clarification_comes_back_to_the_handler_who_asked(org: Org) -> None:
    request = sent_request(org)
    services.request_route(request=request, task_id=open_task(request).pk, by=org.director)
    task = open_task(request)
    services.request_claim(request=fresh(request), task_id=task.pk, by=org.desk)
    services.request_ask_clarification(
        request=fresh(request), task_id=task.pk, by=org.desk, question="โครงการใด"
    )
    request = fresh(request)
    assert request.status == RequestStatus.CLARIFICATION and request.holder == org.officer
    services.request_clarify(
        request=request, task_id=open_task(request).pk, by=org.officer, reply="โครงการ ก"
    )
    request = fresh(request)
    assert request.status == RequestStatus.AT_TARGET and request.holder == org.desk
    assert events(request)[-2:] == ["clarification_asked", "clarified"]


def test_an_answer_nobody_touches_closes_itself_after_the_policy_days(
    org: Org, clock: time_machine.Traveller
) -> None:
    request = sent_request(org)
    services.request_answer(request=request, task_id=open_task(request).pk, by=org.director, answer="ตอบ")
    timer = Task.objects.get(process_id=request.process_id, flow_task_type="TIMER")
    # 5 working days after Monday 8 June: Monday 15 June at close of office.
    assert timer.scheduled == datetime.datetime(2026, 6, 15, 16, 30, tzinfo=BANGKOK)
    clock.move_to(datetime.datetime(2026, 6, 15, 16, 0, tzinfo=BANGKOK))
    assert fire_due_timers() == 0
    clock.move_to(datetime.datetime(2026, 6, 15, 16, 31, tzinfo=BANGKOK))
    assert fire_due_timers() == 1
    request = fresh(request)
    assert request.status == RequestStatus.CLOSED and request.closed_automatically
    assert request.process.status == PROCESS.DONE
    assert not Deadline.objects.filter(case_id=request.pk, status=Deadline.Status.OPEN).exists()
    assert events(request)[-1] == "closed_automatically"


def test_accepting_cancels_the_auto_close_timer(org: Org, clock: time_machine.Traveller) -> None:
    request = sent_request(org)
    services.request_answer(request=request, task_id=open_task(request).pk, by=org.director, answer="ตอบ")
    services.request_accept(request=fresh(request), task_id=open_task(request).pk, by=org.officer)
    clock.move_to(datetime.datetime(2026, 6, 26, 9, 0, tzinfo=BANGKOK))
    assert fire_due_timers() == 0
    assert not fresh(request).closed_automatically


def test_withdraw_before_an_answer_cancels_the_task_and_its_deadline(org: Org) -> None:
    request = sent_request(org)
    services.request_route(request=request, task_id=open_task(request).pk, by=org.director)
    services.request_withdraw(request=fresh(request), by=org.officer, reason="แก้ไขได้เองแล้ว")
    request = fresh(request)
    assert request.status == RequestStatus.WITHDRAWN
    assert request.process.status == PROCESS.CANCELED
    assert not Task.objects.filter(
        process_id=request.process_id, status__in=[STATUS.NEW, STATUS.ASSIGNED]
    ).exists()
    assert not Deadline.objects.filter(case_id=request.pk, status=Deadline.Status.OPEN).exists()
    assert not ScheduledAction.objects.filter(deadline__case_id=request.pk, status="PENDING").exists()


def test_an_answered_request_can_no_longer_be_withdrawn(org: Org) -> None:
    request = sent_request(org)
    services.request_answer(request=request, task_id=open_task(request).pk, by=org.director, answer="ตอบ")
    with pytest.raises(services.RequestError):
        services.request_withdraw(request=fresh(request), by=org.officer, reason="x")
    with pytest.raises(services.RequestError):
        services.request_withdraw(request=fresh(request), by=org.director, reason="x")


def test_two_directors_pressing_approve_one_wins_the_other_is_told(org: Org) -> None:
    request = sent_request(org)
    task_id = open_task(request).pk
    services.request_route(request=request, task_id=task_id, by=org.director)
    with pytest.raises(services.TaskUnavailable):
        services.request_route(request=request, task_id=task_id, by=org.director)
    with pytest.raises(services.TaskUnavailable):
        services.request_reject(request=request, task_id=task_id, by=org.director, reason="x")
    assert Task.objects.filter(process_id=request.process_id, flow_task__endswith="handle").count() == 1


def test_only_the_holder_acts_on_a_task(org: Org) -> None:
    request = sent_request(org)
    with pytest.raises(services.TaskUnavailable):
        services.request_route(request=request, task_id=open_task(request).pk, by=org.head)


def test_the_acting_deputy_reviews_on_their_days(org: Org) -> None:
    ActingDeputy.objects.create(
        province=org.chiang_mai,
        deputy=org.neighbour.officer,
        start_date=datetime.date(2026, 6, 7),
        end_date=datetime.date(2026, 6, 12),
    )
    request = sent_request(org)
    assert fresh(request).holder == org.neighbour
    services.request_route(request=request, task_id=open_task(request).pk, by=org.neighbour)
    routed = TimelineEntry.objects.get(case_id=request.pk, kind="STEP", data__event="routed")
    assert routed.actor == org.neighbour and routed.on_behalf_of == org.director


def test_overdue_review_escalates_through_the_ladder_and_the_head_reassigns(
    org: Org, clock: time_machine.Traveller
) -> None:
    request = sent_request(org, urgency="MOST_URGENT")
    # 1 working day: due Tuesday 9 June 16:30; the director's own task starts the ladder at level 2.
    clock.move_to(datetime.datetime(2026, 6, 10, 16, 31, tzinfo=BANGKOK))
    due_actions_fire(now=datetime.datetime(2026, 6, 10, 16, 31, tzinfo=BANGKOK))
    escalations = TimelineEntry.objects.filter(case_id=request.pk, kind="ESCALATION")
    assert [e.data["level"] for e in escalations] == [2]
    assert Notification.objects.filter(recipient=org.head, kind="escalated").exists()
    scope_ok = services.may_reassign(user_scope(org.head), fresh(request))
    assert scope_ok
    services.request_reassign(
        request=fresh(request), task_id=open_task(request).pk, by=org.head, to=org.neighbour, reason="ผอ. ลา"
    )
    request = fresh(request)
    assert request.holder == org.neighbour
    services.request_route(request=request, task_id=open_task(request).pk, by=org.neighbour)
    assert fresh(request).status == RequestStatus.AT_TARGET


def test_bad_input_is_refused_with_messages(org: Org) -> None:
    with pytest.raises(ValidationError) as error:
        services.request_save_draft(
            by=org.officer,
            data=request_input(org, subject="", target=org.chiang_mai, district=org.other_district),
        )
    assert set(error.value.message_dict) == {"subject", "district", "target"}
    with pytest.raises(ValidationError):
        services.request_save_draft(by=org.officer, data=request_input(org, details="ก" * 5001))


def test_the_same_form_twice_creates_one_request(org: Org) -> None:
    import uuid

    key = uuid.uuid4()
    first = services.request_save_draft(by=org.officer, data=request_input(org), key=key)
    second = services.request_save_draft(by=org.officer, data=request_input(org), key=key)
    assert first.pk == second.pk
    services.request_send(request=first, by=org.officer)
    services.request_send(request=second, by=org.officer)
    assert CoordinationRequest.objects.count() == 1
    assert Task.objects.filter(flow_task_type="HUMAN").count() == 1


def test_only_an_acting_deputy_acts_for_the_director(org: Org) -> None:
    request = sent_request(org)
    services.request_route(request=request, task_id=open_task(request).pk, by=org.director)
    services.request_claim(request=fresh(request), task_id=open_task(request).pk, by=org.desk)
    services.request_answer(request=fresh(request), task_id=open_task(request).pk, by=org.desk, answer="ตอบ")
    steps = TimelineEntry.objects.filter(case_id=request.pk, kind="STEP")
    assert all(step.on_behalf_of is None for step in steps)
