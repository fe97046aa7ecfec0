"""A request's review follows who directs the requester's province (flows/task_life.py:
tasks_follow_responsibility), except where a person handed the task to someone on purpose."""

from __future__ import annotations

import datetime

from viewflow.workflow.models import Task

from cases.models import CoordinationRequest
from cases.services import requests as services
from deadlines.models import TimelineEntry
from flows.tasks import responsibility_follow
from organisation.models import Role
from organisation.services.appointments import role_appoint
from tests.coordination import Org, fresh, sent_request
from tests.factories import OfficerFactory, UserFactory
from workdays.calendar import BANGKOK

NOW = datetime.datetime(2026, 6, 8, 10, 0, tzinfo=BANGKOK)


def holder_task(request: CoordinationRequest) -> Task:
    return Task.objects.get(pk=fresh(request).current_task_id)


def reassigned(request: CoordinationRequest) -> list[TimelineEntry]:
    return list(TimelineEntry.objects.filter(case_id=request.pk, kind=TimelineEntry.Kind.REASSIGNED))


def _successor(org: Org) -> None:
    officer = OfficerFactory(
        user=UserFactory(username="t.successor"), province=org.chiang_mai, former_district_officer=True
    )
    role_appoint(
        officer=officer, role=Role.GROUP_DIRECTOR, province=org.chiang_mai, start_date=NOW.date(), by=org.head
    )


def test_a_review_a_person_handed_to_someone_stays_with_them(org: Org) -> None:
    chosen = sent_request(org)
    services.request_reassign(
        request=fresh(chosen), task_id=holder_task(chosen).pk, by=org.head, to=org.neighbour, reason="ผอ. ลา"
    )
    waiting = sent_request(org)
    _successor(org)  # no on_commit here: the job runs below

    assert responsibility_follow(now=NOW) == 1  # only the request still with the former director
    assert holder_task(chosen).owner == org.neighbour and fresh(chosen).holder == org.neighbour
    assert holder_task(waiting).owner.username == "t.successor"  # type: ignore[union-attr]
    assert len(reassigned(chosen)) == 1  # the person's own, nothing more
    assert responsibility_follow(now=NOW) == 0


def test_only_reviews_follow_the_director_not_a_request_already_routed(org: Org) -> None:
    request = sent_request(org, target=org.lamphun)
    services.request_route(request=fresh(request), task_id=holder_task(request).pk, by=org.director)
    handler = holder_task(request)
    assert handler.flow_task.name == "handle" and handler.owner == org.lp_director
    _successor(org)
    assert responsibility_follow(now=NOW, provinces=[org.chiang_mai.pk]) == 0
    assert holder_task(request).owner == org.lp_director
