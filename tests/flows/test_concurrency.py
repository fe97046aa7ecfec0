"""Two people acting on the same task at the same moment, on PostgreSQL: one wins, the other is told."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import CoordinationRequest, RequestStatus
from cases.services import requests as services
from organisation.services.geography import geography_load
from tests.coordination import Org, request_input, sent_request

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(actions: list) -> list[str]:  # type: ignore[type-arg]
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            action()
            outcomes.append("done")
        except services.TaskUnavailable:
            outcomes.append("told")
        except services.RequestConflict:
            outcomes.append("conflict")
        except Exception as error:
            outcomes.append(f"error {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


@pytest.fixture
def pg_org(transactional_db: None, org: Org) -> Org:
    geography_load()
    return org


def test_two_approvals_at_once_one_wins(pg_org: Org) -> None:
    org = pg_org
    request = sent_request(org)
    task = Task.objects.get(process_id=request.process_id, status=STATUS.ASSIGNED)

    def approve() -> None:
        services.request_route(
            request=CoordinationRequest.objects.get(pk=request.pk), task_id=task.pk, by=org.director
        )

    def reject() -> None:
        services.request_reject(
            request=CoordinationRequest.objects.get(pk=request.pk),
            task_id=task.pk,
            by=org.director,
            reason="x",
        )

    assert _race([approve, reject]) == ["done", "told"]
    status = CoordinationRequest.objects.get(pk=request.pk).status
    human_tasks = Task.objects.filter(process_id=request.process_id, flow_task_type="HUMAN").count()
    # Routed: the review and the answer task; rejected: the review only. Never both.
    assert (status, human_tasks) in ((RequestStatus.AT_TARGET, 2), (RequestStatus.REJECTED, 1))


def test_two_claims_at_once_one_wins(pg_org: Org) -> None:
    org = pg_org
    request = sent_request(org)
    services.request_route(
        request=request,
        task_id=Task.objects.get(process_id=request.process_id, status=STATUS.ASSIGNED).pk,
        by=org.director,
    )
    task = Task.objects.get(process_id=request.process_id, status=STATUS.NEW, flow_task_type="HUMAN")

    def claim(user):  # type: ignore[no-untyped-def]
        return lambda: services.request_claim(
            request=CoordinationRequest.objects.get(pk=request.pk), task_id=task.pk, by=user
        )

    assert _race([claim(org.desk), claim(org.desk2)]) == ["done", "told"]


def test_the_same_form_twice_at_once_creates_one_request(pg_org: Org) -> None:
    import uuid

    org = pg_org
    key = uuid.uuid4()

    def submit() -> None:
        draft = services.request_save_draft(by=org.officer, data=request_input(org), key=key)
        services.request_send(request=draft, by=org.officer)

    outcomes = _race([submit, submit])
    assert outcomes == ["done", "done"]
    assert CoordinationRequest.objects.filter(idempotency_key=key).count() == 1
    assert Task.objects.filter(flow_task_type="HUMAN").count() == 1


def test_two_tabs_of_the_director_routing_and_returning_at_once_the_second_is_a_conflict(pg_org: Org) -> None:
    """Issue 10: both tabs show the same version; the one that comes second is told what the first did."""
    org = pg_org
    request = sent_request(org)
    task = Task.objects.get(process_id=request.process_id, status=STATUS.ASSIGNED)
    version = CoordinationRequest.objects.get(pk=request.pk).version

    def route() -> None:
        services.request_route(
            request=CoordinationRequest.objects.get(pk=request.pk),
            task_id=task.pk,
            by=org.director,
            comment="ส่งกองคลัง",
            version=version,
        )

    def back() -> None:
        services.request_return(
            request=CoordinationRequest.objects.get(pk=request.pk),
            task_id=task.pk,
            by=org.director,
            reason="ขาดเอกสาร",
            version=version,
        )

    assert _race([route, back]) == ["conflict", "done"]
    status = CoordinationRequest.objects.get(pk=request.pk).status
    human_tasks = Task.objects.filter(process_id=request.process_id, flow_task_type="HUMAN").count()
    assert (status, human_tasks) in ((RequestStatus.AT_TARGET, 2), (RequestStatus.RETURNED, 2))


def test_two_tabs_saving_a_draft_at_once_the_second_is_a_conflict(pg_org: Org) -> None:
    org = pg_org
    draft = services.request_save_draft(by=org.officer, data=request_input(org))
    version = CoordinationRequest.objects.get(pk=draft.pk).version

    def save(subject: str):  # type: ignore[no-untyped-def]
        return lambda: services.request_save_draft(
            by=org.officer, data=request_input(org, subject=subject), request=draft, version=version
        )

    assert _race([save("แท็บแรก"), save("แท็บที่สอง")]) == ["conflict", "done"]
    saved = CoordinationRequest.objects.get(pk=draft.pk)
    assert saved.subject in ("แท็บแรก", "แท็บที่สอง") and saved.version == version + 1


def test_two_tabs_posting_the_review_pages_at_once_one_is_done_the_other_answers_409(pg_org: Org) -> None:
    """The same race through the pages: one redirect, one 409 with its typed reason; never a 500."""
    org = pg_org
    request = sent_request(org)
    task = Task.objects.get(process_id=request.process_id, status=STATUS.ASSIGNED)
    tabs = [Client(), Client()]
    for tab in tabs:
        tab.force_login(org.director)
    body = tabs[0].get(request.get_absolute_url()).content.decode()
    version = re.findall(r'name="version" value="(\d+)"', body)[0]
    statuses: list[int] = []
    bodies: list[str] = []
    barrier = threading.Barrier(2)

    def post(tab: Client, action: str, data: dict[str, str]) -> None:
        barrier.wait()
        try:
            response = tab.post(reverse("requests:act", args=[request.pk, action]), data)
            statuses.append(response.status_code)
            bodies.append(response.content.decode())
        finally:
            connection.close()

    common = {"task": str(task.pk), "version": version}
    threads = [
        threading.Thread(target=post, args=(tabs[0], "route", {**common, "target": "", "comment": "ส่งต่อ"})),
        threading.Thread(target=post, args=(tabs[1], "reject", {**common, "reason": "ไม่อยู่ในอำนาจ"})),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [302, 409]
    refused = bodies[statuses.index(409)]
    assert "ส่งต่อ" in refused or "ไม่อยู่ในอำนาจ" in refused
