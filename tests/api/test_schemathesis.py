"""The schema is the contract (issue 13 item 4): schemathesis generates calls from the checked-in
api/schema.yaml and sends them to the application through WSGI with a token of each role; no answer may be
a server error, and every answer must be one the schema describes (its status, content type and body)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import services
from reporting.models import DistrictReport
from tests.coordination import Org, sent_request

SCHEMA = Path(__file__).resolve().parents[2] / "api" / "schema.yaml"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 6  # calls per operation and role: the whole test stays well under a minute


@pytest.fixture
def wsgi() -> Iterator[Any]:
    """The application as a WSGI server runs it, inside the test's transaction: Django closes a connection
    it finds in a transaction at the end of a request (as the test client also prevents)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _secret(org: Org, role: str) -> str:
    if role == "service account":
        return services.service_account_create(
            name="INFO", province=None, may_write=False, days=30, by=org.central
        ).secret
    return services.token_create(user=getattr(org, role), name="schemathesis", days=30).secret


def _real(params: dict[str, Any], path: str, ids: dict[str, Any]) -> dict[str, Any]:
    real = dict(params)
    for name in params:
        if name == "id":
            real[name] = ids["request"] if path.startswith("/api/v1/requests/") else ids["report"]
        elif name == "code":
            real[name] = ids["district"] if path.startswith("/api/v1/districts/") else ids["province"]
        elif name in ids:
            real[name] = ids[name]
    return real


ROLES = ["officer", "director", "head", "desk", "central", "service account"]


@pytest.mark.parametrize("role", ROLES)
def test_no_call_breaks_the_schema_or_the_server(org: Org, wsgi: Any, role: str, small_cycle: Any) -> None:
    request = sent_request(org)
    report = DistrictReport.objects.filter(cycle=small_cycle, district=org.district).get()
    ids = {
        "request": request.pk,
        "report": report.pk,
        "cycle_pk": small_cycle.pk,
        "province_pk": org.chiang_mai.pk,
        "province": org.chiang_mai.code,
        "district": org.district.code,
    }
    schema = schemathesis.openapi.from_path(SCHEMA)
    schema.app = wsgi
    headers = {"Authorization": f"Bearer {_secret(org, role)}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18
    started = time.monotonic()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)
            if case.path_parameters:  # the same call on objects that exist, in and out of the caller's scope
                case.path_parameters = _real(case.path_parameters, case.path, ids)
                case.call_and_validate(headers=headers, checks=CHECKS)

        call()
    assert time.monotonic() - started < 45  # a guard against the test growing: about 4 s a role here


def test_the_checked_in_schema_is_the_one_the_code_serves(org: Org, api_as: Callable[..., Any]) -> None:
    """make lint compares the file with the code; this says the file is what /api/v1/schema/ serves."""
    import yaml

    served = api_as(org.officer).get("schema/", format="json")
    assert served.status_code == 200
    assert yaml.safe_load(served.content) == yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))


def test_the_check_catches_an_answer_that_breaks_the_schema(
    org: Org, wsgi: Any, small_cycle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: a request read answering a shape the schema does not describe is found."""
    from api import views

    request = sent_request(org)
    monkeypatch.setattr(views, "_request_detail", lambda *args: {"id": "not a number"})
    schema = schemathesis.openapi.from_path(SCHEMA)
    schema.app = wsgi
    operation = schema.find_operation_by_label("GET /api/v1/requests/{id}/")
    case = schema.make_case(operation=operation, path_parameters={"id": request.pk})
    headers = {"Authorization": f"Bearer {_secret(org, 'officer')}"}
    with pytest.raises(FailureGroup) as found:
        case.call_and_validate(headers=headers, checks=CHECKS)
    assert {type(e).__name__ for e in found.value.exceptions} == {"JsonSchemaError"}
