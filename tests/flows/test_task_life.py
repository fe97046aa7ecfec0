"""The shared task life (flows/task_life.py): acting never runs inside an outer transaction."""

from __future__ import annotations

import pytest
from django.db import transaction
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import CoordinationRequest, RequestStatus
from cases.services import requests as services
from flows.task_life import outer_transaction_allowed
from tests.coordination import Org, sent_request

pytestmark = pytest.mark.django_db(transaction=True)


def test_acting_on_a_task_inside_an_outer_transaction_is_refused_and_writes_nothing(org: Org) -> None:
    request = sent_request(org)
    task = Task.objects.get(process_id=request.process_id, status=STATUS.ASSIGNED)
    with pytest.raises(RuntimeError, match="outer transaction"), transaction.atomic():
        services.request_route(request=request, task_id=task.pk, by=org.director)
    assert CoordinationRequest.objects.get(pk=request.pk).status == RequestStatus.REVIEW
    assert Task.objects.get(pk=task.pk).status == STATUS.ASSIGNED


def test_a_single_user_batch_may_act_inside_its_own_transaction(org: Org) -> None:
    request = sent_request(org)
    task = Task.objects.get(process_id=request.process_id, status=STATUS.ASSIGNED)
    with outer_transaction_allowed(), transaction.atomic():
        services.request_route(request=request, task_id=task.pk, by=org.director)
    assert CoordinationRequest.objects.get(pk=request.pk).status == RequestStatus.AT_TARGET
