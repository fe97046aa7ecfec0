"""One shape for every error of the API: {"code": ..., "message": ..., "fields": {...}} in the caller's
language (Thai unless Accept-Language asks for English)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from flows.task_life import TaskUnavailable


class Conflict(exceptions.APIException):
    """409: someone changed the object after the caller read it; `current` is the object as it is now."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, message: str, current: Any = None) -> None:
        super().__init__(message)
        self.current = current


class Unprocessable(exceptions.APIException):
    """The action is not possible now (the services' RequestError, ReportError, TaskUnavailable)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "not_possible"


def _messages(detail: Any) -> list[str]:
    if isinstance(detail, list):
        return [m for item in detail for m in _messages(item)]
    if isinstance(detail, dict):
        return [m for item in detail.values() for m in _messages(item)]
    return [str(detail)]


def from_validation(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(error.message_dict)
    return exceptions.ValidationError({"__all__": error.messages})


def handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = from_validation(exc)
    elif isinstance(exc, TaskUnavailable):
        exc = Unprocessable(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found, or not yours to see."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    body: dict[str, Any] = {"code": "", "message": ""}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        fields = exc.detail if isinstance(exc.detail, dict) else {"__all__": exc.detail}
        body["fields"] = {name: _messages(value) for name, value in fields.items()}
        body["message"] = _("Some values need your attention: see the messages next to the fields.")
    else:
        codes = exc.get_codes()
        body["code"] = codes if isinstance(codes, str) else exc.default_code
        body["message"] = " ".join(_messages(exc.detail))
    if isinstance(exc, Conflict) and exc.current is not None:
        body["current"] = exc.current
    response.data = body
    return response
