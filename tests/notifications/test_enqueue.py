"""The outbox's enqueue never raises; its log tells a broker outage from a bug, with the traceback."""

from __future__ import annotations

import logging

import pytest

from notifications.services import enqueue
from tests.integration.processes import celery_broker


def test_a_broker_that_refuses_connections_is_logged_as_unavailable_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with celery_broker("redis://127.0.0.1:9/0"), caplog.at_level(logging.WARNING, "notifications.services"):
        assert enqueue([1, 2, 3]) == 0

    [record] = [r for r in caplog.records if r.name == "notifications.services"]
    assert record.levelno == logging.WARNING
    assert "broker unavailable: 3 deliveries wait for the sweep" in record.getMessage()
    assert record.exc_info is not None


def test_a_bug_while_enqueuing_is_logged_as_an_error_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The broker is up (kombu's in-memory transport); what fails is ours: an id that cannot be serialised.
    with celery_broker("memory://"), caplog.at_level(logging.WARNING, "notifications.services"):
        assert enqueue([object()]) == 0  # type: ignore[list-item]

    [record] = [r for r in caplog.records if r.name == "notifications.services"]
    assert record.levelno == logging.ERROR
    assert "broker unavailable" not in record.getMessage()
    assert "enqueue failed: 1 deliveries wait for the sweep" in record.getMessage()
    assert record.exc_info is not None
