"""Logs: one JSON object per line in production, readable text on a developer's machine (LOG_FORMAT).

Every line written while a request is answered carries its request id and the signed-in person's id; every
line written while a Celery task runs carries the task's id and name. Each request ends with one line of
its own (logger "dla.request": view, status, duration). The request id comes from the proxy's X-Request-ID
when it is a sane one, else a new one; it goes back in the X-Request-ID header and on the 500 page, so an
officer can quote it to the centre and the centre can find the lines (and the Sentry event) it names.

The standard library's logging with a small formatter of our own rather than a library: about forty lines,
no dependency, and the context (request, task) is ours to add in any case.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

import sentry_sdk
from celery._state import get_current_task
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy may hand us: nginx's $request_id (32 hex digits), a UUID, or the like. Anything else (too
# long, spaces, quotes, new lines) is replaced, so that the id can never forge or break a log line.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")

_current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)
request_log = logging.getLogger("dla.request")

# The attributes every LogRecord has; any other attribute (an `extra=` of the call, or the context added by
# ContextFilter) is written as a field of its own.
# Django's own lines carry the request object itself ("request"): its id and person are written instead.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request",
}


def request_id_of(request: HttpRequest) -> str:
    """The request's id (given by RequestLogMiddleware; a request built without it gets none)."""
    return str(getattr(request, "request_id", ""))


def _incoming_id(request: HttpRequest) -> str | None:
    value = request.headers.get(REQUEST_ID_HEADER, "")
    return value if _SANE_REQUEST_ID.fullmatch(value) else None


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in person's id, only if the request has already read it: reading it here would cost the
    session and user queries on a page that never needed them (Django caches it in _cached_user)."""
    user = getattr(request, "_cached_user", None)
    return user.pk if user is not None and user.is_authenticated else None


class ContextFilter(logging.Filter):
    """Adds the request's id and person, or the running task's id and name, to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _current_request.get()
        if request is not None:
            record.__dict__.setdefault("request_id", request_id_of(request))
            user_id = _user_id(request)
            if user_id is not None:
                record.__dict__.setdefault("user_id", user_id)
        task = get_current_task()
        if task is not None and task.request.id is not None:
            record.__dict__.setdefault("task_id", task.request.id)
            record.__dict__.setdefault("task_name", task.name)
        elif record.name.startswith("celery") and isinstance(record.args, Mapping) and "id" in record.args:
            # The worker's own lines about a task ("Task x[id] succeeded in ...") name it in their arguments.
            record.__dict__.setdefault("task_id", record.args["id"])
            record.__dict__.setdefault("task_name", record.args.get("name"))
        return True


def _context(record: logging.LogRecord) -> dict[str, Any]:
    context = {key: value for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES}
    if record.name.startswith("celery"):
        # The worker's "data": the task's arguments and return value, repeated; the id and name are kept.
        context.pop("data", None)
    return context


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the context, the exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_context(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`make run`: time, level, logger, message, then the context as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S")

    def formatMessage(self, record: logging.LogRecord) -> str:
        context = " ".join(f"{key}={value}" for key, value in _context(record).items())
        return super().formatMessage(record) + (f"  [{context}]" if context else "")


class RequestLogMiddleware:
    """The request id (header in, header out), the context of the request's log lines, and its own line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = _incoming_id(request) or uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        sentry_sdk.set_tag("request_id", request_id)  # nothing happens without SENTRY_DSN
        token = _current_request.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            match = request.resolver_match
            request_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "view": match.view_name if match is not None else None,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
        finally:
            _current_request.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response
