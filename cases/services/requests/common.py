"""What every step of a request shares: its refusals, the check of the version a page showed (a second tab,
a double click), the shared task life around each action (`act_on`), the text a person typed."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import CoordinationRequest
from cases.services.process import request_of_process, user_of
from deadlines.models import TimelineEntry
from deadlines.timeline_text import describe
from flows.task_life import TaskUnavailable, task_act, task_complete
from organisation.models import Province, Role
from organisation.models.people import person_name
from organisation.selectors.roles import acting_group_director, role_holder
from workdays.templatetags.thai_dates import thai_datetime

SUBJECT_MAX = 200


TEXT_MAX = 5000


class RequestError(Exception):
    """A refusal worded for the person who asked (shown as a message, never a server error)."""


class RequestConflict(RequestError):
    """The page was opened before the request's last change (another tab, another person): nothing was done.
    `repeated`: that change was this same action by the same person (a second click of the same form)."""

    def __init__(self, message: str, *, repeated: bool = False) -> None:
        super().__init__(message)
        self.repeated = repeated


@dataclass(frozen=True)
class Same:
    """What a form does, to tell a second click of it from someone else's change: the timeline's last
    change is one of `events` (a step's event, or an entry's kind), by `by`, with the same `text`."""

    by: User
    events: tuple[str, ...]
    text: str = ""

    def __call__(self, entry: TimelineEntry | None) -> bool:
        if entry is None or entry.actor_id != self.by.pk:
            return False
        event = entry.data.get("event") or entry.kind
        said = entry.data.get("text", entry.data.get("reason", ""))
        return event in self.events and said == self.text


def last_change(request: CoordinationRequest) -> TimelineEntry | None:
    """The request's last step or change of hands on its timeline (a file attached or a comment is not a
    change of the request); None when a save without a step (a draft) came after it."""
    entry = (
        TimelineEntry.objects.filter(
            case_type=ContentType.objects.get_for_model(CoordinationRequest),
            case_id=request.pk,
            kind__in=[TimelineEntry.Kind.STEP, TimelineEntry.Kind.REASSIGNED],
        )
        .exclude(kind=TimelineEntry.Kind.STEP, data__event="attached")
        .select_related("actor__officer")
        .order_by("-at", "-pk")
        .first()
    )
    if entry is not None and request.updated_at is not None and entry.at < request.updated_at:
        return None
    return entry


def conflict_message(request: CoordinationRequest, entry: TimelineEntry | None) -> str:
    """What happened to the request since a page was opened, in words: its last change on the timeline
    (who did what, and when), else the moment it was last saved."""
    if entry is None:
        return _(
            "This request was changed elsewhere (another tab or window) at %(when)s, after you opened this "
            "page. Nothing was saved from this page: what you typed is still below; check the request, then "
            "send it again."
        ) % {"when": thai_datetime(request.updated_at)}
    values = {"name": person_name(entry.actor), "what": describe(entry), "when": thai_datetime(entry.at)}
    if entry.actor is None:
        return (
            _(
                "This request changed at %(when)s, after you opened this page: %(what)s. Nothing was done from "
                "this page: what you typed is still below."
            )
            % values
        )
    return (
        _(
            "After you opened this page, %(name)s acted on this request at %(when)s: %(what)s. Nothing was "
            "done from this page: what you typed is still below."
        )
        % values
    )


def _repeated_message(request: CoordinationRequest, entry: TimelineEntry | None) -> str:
    if entry is None:
        return _("Already saved at %(when)s. The page shows the request as it is now.") % {
            "when": thai_datetime(request.updated_at)
        }
    return _(
        "Already done at %(when)s: %(what)s. It was done once; the page shows where the request is now."
    ) % {
        "when": thai_datetime(entry.at),
        "what": describe(entry),
    }


def check_version(
    locked: CoordinationRequest,
    version: int | None,
    same: Callable[[TimelineEntry | None], bool] | None = None,
) -> None:
    """Under the request's row lock: the form's version must be the request's."""
    if version is None or locked.version == version:
        return
    entry = last_change(locked)
    if same is not None and same(entry):
        raise RequestConflict(_repeated_message(locked, entry), repeated=True)
    raise RequestConflict(conflict_message(locked, entry))


def busy_message() -> str:
    return _("Someone else is acting on this request right now. Try again in a moment.")


def clean_text(value: str, field: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError(
            {
                field: _("At most %(limit)s characters (this has %(count)s).")
                % {"limit": limit, "count": len(value)}
            }
        )
    return value


def _task(request: CoordinationRequest, task_id: int | None) -> Task | None:
    return Task.objects.filter(pk=task_id, process_id=request.process_id).first() if task_id else None


@contextmanager
def act_on(
    *,
    request: CoordinationRequest,
    task_id: int | None,
    by: User | None,
    nodes: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (STATUS.ASSIGNED,),
    gone: str = "",
    version: int | None = None,
    same: Same | None = None,
    actor: User | None = None,
) -> Iterator[tuple[Any, CoordinationRequest]]:
    """The open task of the request at one of `nodes`, held by `by` (any holder when None), under the flow's
    lock, with the request's row locked (flows/task_life.py); then the page's `version` is checked. When the
    task has moved on, a page older than the request's last change is told what happened (RequestConflict)
    rather than only that it moved on. The action is `actor`'s (else `by`'s)."""
    try:
        with task_act(
            task=_task(request, task_id),
            actor=actor or by,
            lock_case=request_of_process,
            busy=busy_message(),
            gone=gone
            or _(
                "Someone else has just acted on this request, or it has moved on. The page shows where it is now."
            ),
            statuses=statuses,
            nodes=nodes,
            holder=by,
        ) as (activation, locked):
            check_version(locked, version, same)
            yield activation, locked
    except TaskUnavailable:
        if version is not None:
            with transaction.atomic():
                check_version(
                    CoordinationRequest.objects.select_for_update().get(pk=request.pk), version, same
                )
        raise


def finish_step(
    activation: Any,
    request: CoordinationRequest,
    *,
    decided: str,
    now: datetime.datetime,
    **process_data: Any,
) -> None:
    """Close the task's deadline, record the decision and move the flow on."""
    request.current_task = None
    request.holder = None
    request.holder_unit = None
    request.updated_at = now
    request.save()
    task_complete(activation, now=now, data={"decision": decided, **process_data})


def on_behalf_of(by: User, province: Province | None) -> User | None:
    """When an acting deputy acts as the province's group director: the director they stand in for."""
    if province is None:
        return None
    acting = acting_group_director(province=province)
    if acting is None or acting.user_id != by.pk:
        return None
    director = user_of(role_holder(province=province, role=Role.GROUP_DIRECTOR))
    return director if director is not None and director.pk != by.pk else None
