"""A workflow step that stops with an error is shown to central staff, not left silent (issue 3)."""

from django.test import Client
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.coordination import Org, sent_request


def test_a_workflow_task_in_error_is_shown_on_the_central_home_page(client: Client, org: Org) -> None:
    request = sent_request(org)
    client.force_login(org.central)
    calm = client.get(reverse("home")).content.decode()
    Task.objects.filter(process_id=request.process_id).update(status=STATUS.ERROR)

    alarmed = client.get(reverse("home")).content.decode()

    assert "problems-heading" not in calm
    assert reverse("admin:viewflow_task_changelist") in alarmed
