"""Two people acting on the same task at the same moment, on PostgreSQL: one wins, the other is told."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import CoordinationRequest, RequestStatus
from cases.services import requests as services
from organisation.services.geography import geography_load
from tests.coordination import Org, sent_request

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

    from tests.coordination import request_input

    org = pg_org
    key = uuid.uuid4()

    def submit() -> None:
        draft = services.request_save_draft(by=org.officer, data=request_input(org), key=key)
        services.request_send(request=draft, by=org.officer)

    outcomes = _race([submit, submit])
    assert outcomes == ["done", "done"]
    assert CoordinationRequest.objects.filter(idempotency_key=key).count() == 1
    assert Task.objects.filter(flow_task_type="HUMAN").count() == 1
