"""The work of the coordination request flow (flows/coordination.py is its wiring): drafts and numbers,
each human step's decision, deadlines through the engine, the timeline and notifications.

Every action on a task goes through `_act`, the shared task life (flows/task_life.py): the flow's lock, then
the request's row, then the task is checked; if someone else has just completed, claimed or cancelled it the
caller gets TaskUnavailable and nothing is written.

Every form of a request carries the version its page showed (`version`; None for a caller with no page, a
worker or the demo). Under the request's row lock a version older than the request's is refused with
RequestConflict, which says what the other tab or person did; nothing is written. When that last change
was this very action by the same person (a double click), the conflict says so (`repeated`)."""

from __future__ import annotations

import datetime
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from cases.defaults import CATEGORIES, STEPS
from cases.models import Attachment, Category, CoordinationRequest, RequestCounter, RequestStatus
from cases.selectors.requests import current_district_ids
from cases.services.process import (
    Decision,
    moment,
    notice_context,
    request_closed,
    request_of_process,
    step_record,
    user_of,
)
from deadlines.models import Deadline, TimelineEntry, Urgency
from deadlines.services.deadlines import deadline_close, default_policy_ensure, policy_define_step
from deadlines.services.timeline import timeline_add
from deadlines.timeline_text import describe
from flows.coordination import CoordinationFlow
from flows.task_life import (
    OPEN_STATUSES,
    Responsibility,
    TaskUnavailable,
    refuse_outer_transaction,
    task_act,
    task_complete,
    task_hand_over,
)
from notifications.models import Kind
from notifications.services import action_by, notify
from organisation.data.province_abbreviations import PROVINCE_ABBREVIATIONS
from organisation.models import District, LocalGovernmentOrganisation, Officer, Province, Role, Unit
from organisation.models.people import person_name
from organisation.selectors.roles import (
    UserScope,
    acting_group_director,
    province_director,
    role_holder,
    user_scope,
)
from workdays.calendar import fiscal_year
from workdays.forms import one_line
from workdays.templatetags.thai_dates import thai_datetime
from workdays.thai import thai_order

NUMBER_PREFIX = "ปส."
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


def _check_version(
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


__all__ = ["TaskUnavailable"]  # the shared task life's: a lost race, on a request as on a report


def _busy() -> str:
    return _("Someone else is acting on this request right now. Try again in a moment.")


def province_abbreviation(province: Province) -> str:
    return PROVINCE_ABBREVIATIONS.get(province.code) or province.abbreviation or province.code


def _text(value: str, field: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
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


# Drafts and sending


@dataclass
class RequestInput:
    subject: str
    details: str
    category: Category
    urgency: str
    district: District
    target_unit: Unit | None = None
    target_province: Province | None = None
    lgo: LocalGovernmentOrganisation | None = None


def requester_districts(scope: UserScope) -> list[District]:
    ids = current_district_ids(scope.officer) if scope.has_role(Role.DISTRICT_OFFICER) else []
    return list(
        District.objects.filter(pk__in=ids).select_related("province").order_by(thai_order("name_th"))
    )


def target_units() -> list[Unit]:
    return list(
        Unit.objects.filter(
            kind__in=[Unit.Kind.BUREAU, Unit.Kind.DIVISION, Unit.Kind.COORDINATION_CENTRE], is_active=True
        ).order_by("-kind", thai_order("name_th"))
    )


def _validate(data: RequestInput, scope: UserScope) -> None:
    errors: dict[str, list[str]] = {}
    data.subject = one_line(data.subject)  # a crafted POST's line breaks never reach a stored subject
    for name, limit in (("subject", SUBJECT_MAX), ("details", TEXT_MAX)):
        try:
            setattr(data, name, _text(getattr(data, name), name, limit=limit))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if data.urgency not in Urgency.values:
        errors["urgency"] = [_("Choose an urgency.")]
    if data.district.pk not in {d.pk for d in requester_districts(scope)}:
        errors["district"] = [_("Choose one of your own districts.")]
    if (data.target_unit is None) == (data.target_province is None):
        errors["target"] = [
            _("Choose one target: a central unit, another province or the coordination centre.")
        ]
    elif data.target_province is not None and data.target_province.pk == data.district.province_id:
        errors["target"] = [_("The target cannot be your own province.")]
    elif data.target_unit is not None and data.target_unit.province_id is not None:
        errors["target"] = [_("Choose a central unit or the coordination centre.")]
    elif data.target_province is not None and not data.target_province.has_provincial_office:
        errors["target"] = [_("Bangkok has no provincial office: choose a central unit.")]
    if data.lgo is not None and data.lgo.district_id != data.district.pk:
        errors["lgo"] = [_("The local government organisation must be in the chosen district.")]
    if errors:
        raise ValidationError(errors)


_FIELDS = ("subject", "details", "category", "urgency", "district", "lgo", "target_unit", "target_province")


def _holds(request: CoordinationRequest, data: RequestInput) -> bool:
    """The request holds what the form says (its second click)."""
    return all(getattr(request, name) == getattr(data, name) for name in _FIELDS)


def _sent_as_typed(request: CoordinationRequest, data: RequestInput, by: User) -> Callable[..., bool]:
    """A second click of the edit form: the request holds what it says, saved since by the same person
    (a draft saved, or the request sent or sent again)."""

    def same(entry: TimelineEntry | None) -> bool:
        return _holds(request, data) and (
            entry is None or (entry.actor_id == by.pk and entry.data.get("event") in ("sent", "resent"))
        )

    return same


@transaction.atomic
def request_save_draft(
    *,
    by: User,
    data: RequestInput,
    key: uuid.UUID | None = None,
    request: CoordinationRequest | None = None,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    """Create a draft (or update one, from a page that showed `version`). The same form posted twice (the
    same key) gives the same request."""
    now = moment(now)
    scope = user_scope(by)
    _validate(data, scope)
    if request is None and key is not None:
        existing = CoordinationRequest.objects.filter(idempotency_key=key).first()
        if existing is not None:
            if existing.requester_id != by.pk:
                raise RequestError(_("This form was already used. Open a new one."))
            return existing
    if request is not None:
        request = CoordinationRequest.objects.select_for_update().get(pk=request.pk)
        if request.requester_id != by.pk:
            raise RequestError(_("This request can no longer be edited."))
        _check_version(request, version, _sent_as_typed(request, data, by))
        if request.status not in (RequestStatus.DRAFT, RequestStatus.RETURNED):
            raise RequestError(_("This request can no longer be edited."))
    else:
        request = CoordinationRequest(requester=by, created_at=now, idempotency_key=key)
    for name in _FIELDS:
        setattr(request, name, getattr(data, name))
    request.province_id = data.district.province_id
    request.updated_at = now
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # The same key was used by a concurrent submission of the same form: that one won.
        existing = CoordinationRequest.objects.filter(idempotency_key=key).first() if key else None
        if existing is None:
            raise
        return existing
    return request


def _allocate_number(request: CoordinationRequest, now: datetime.datetime) -> None:
    year = fiscal_year(timezone.localdate(now))
    RequestCounter.objects.get_or_create(province_id=request.province_id, fiscal_year=year)
    counter = RequestCounter.objects.select_for_update().get(
        province_id=request.province_id, fiscal_year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    request.fiscal_year = year
    request.running_number = counter.last
    request.number = f"{NUMBER_PREFIX}{province_abbreviation(request.province)} {counter.last}/{year}"


@transaction.atomic
def request_send(
    *,
    request: CoordinationRequest,
    by: User,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    """Send a draft to the group director: it gets its number and its process. Sending twice does nothing;
    a draft changed since its page was opened (`version`) is not sent unseen."""
    now = moment(now)
    request = CoordinationRequest.objects.select_for_update().select_related("province").get(pk=request.pk)
    if request.requester_id != by.pk:
        raise RequestError(_("Only the requester can send this request."))
    if request.status != RequestStatus.DRAFT:
        return request  # already sent (a second click, a second tab)
    _check_version(request, version)
    _allocate_number(request, now)
    request.sent_at = now
    request.status = RequestStatus.REVIEW
    request.updated_at = now
    request.save()
    step_record(request, "sent", by=by, now=now, number=request.number)
    with action_by(by):
        process = CoordinationFlow.start.run(request=request)
    CoordinationRequest.objects.filter(pk=request.pk).update(process=process)
    request.refresh_from_db()
    return request


def _task(request: CoordinationRequest, task_id: int | None) -> Task | None:
    return Task.objects.filter(pk=task_id, process_id=request.process_id).first() if task_id else None


@contextmanager
def _act(
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
            busy=_busy(),
            gone=gone
            or _(
                "Someone else has just acted on this request, or it has moved on. The page shows where it is now."
            ),
            statuses=statuses,
            nodes=nodes,
            holder=by,
        ) as (activation, locked):
            _check_version(locked, version, same)
            yield activation, locked
    except TaskUnavailable:
        if version is not None:
            with transaction.atomic():
                _check_version(
                    CoordinationRequest.objects.select_for_update().get(pk=request.pk), version, same
                )
        raise


def _finish(
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


def _on_behalf(by: User, province: Province | None) -> User | None:
    """When an acting deputy acts as the province's group director: the director they stand in for."""
    if province is None:
        return None
    acting = acting_group_director(province=province)
    if acting is None or acting.user_id != by.pk:
        return None
    director = user_of(role_holder(province=province, role=Role.GROUP_DIRECTOR))
    return director if director is not None and director.pk != by.pk else None


# The director's review


def request_route(
    *,
    request: CoordinationRequest,
    task_id: int | None,
    by: User,
    comment: str = "",
    target_unit: Unit | None = None,
    target_province: Province | None = None,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    """Approve and route to the target (the director may change it)."""
    now = moment(now)
    comment = _text(comment, "comment", required=False)
    with _act(
        request=request,
        task_id=task_id,
        by=by,
        nodes=("review",),
        version=version,
        same=Same(by, ("routed",), comment),
    ) as (activation, request):
        if target_unit is not None or target_province is not None:
            if (target_unit is None) == (target_province is None) or (
                target_province is not None and target_province.pk == request.province_id
            ):
                raise RequestError(_("The target cannot be your own province."))
            request.target_unit, request.target_province = target_unit, target_province
        step_record(
            request,
            "routed",
            by=by,
            now=now,
            on_behalf_of=_on_behalf(by, request.province),
            to=str(request.target),
            text=comment,
        )
        if request.routed_at is None:
            request.routed_at = now
        _finish(activation, request, decided=Decision.ROUTE, now=now, handler=None, direct=False)
    return request


def request_return(
    *,
    request: CoordinationRequest,
    task_id: int | None,
    by: User,
    reason: str,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    now = moment(now)
    reason = _text(reason, "reason")
    with _act(
        request=request,
        task_id=task_id,
        by=by,
        nodes=("review",),
        version=version,
        same=Same(by, ("returned",), reason),
    ) as (activation, request):
        step_record(
            request, "returned", by=by, now=now, on_behalf_of=_on_behalf(by, request.province), text=reason
        )
        _finish(activation, request, decided=Decision.RETURN, now=now)
    return request


def request_reject(
    *,
    request: CoordinationRequest,
    task_id: int | None,
    by: User,
    reason: str,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    now = moment(now)
    reason = _text(reason, "reason")
    with _act(
        request=request,
        task_id=task_id,
        by=by,
        nodes=("review",),
        version=version,
        same=Same(by, ("rejected",), reason),
    ) as (activation, request):
        request.reason = reason
        request.closed_at = now
        step_record(
            request, "rejected", by=by, now=now, on_behalf_of=_on_behalf(by, request.province), text=reason
        )
        _finish(activation, request, decided=Decision.REJECT, now=now)
        request.status = RequestStatus.REJECTED
        request.save(update_fields=["status"])
        notify(
            recipients=[request.requester],
            kind=Kind.CLOSED,
            context=notice_context(request, reason=reason),
            now=now,
        )
    return request


def request_resend(
    *,
    request: CoordinationRequest,
    task_id: int | None,
    by: User,
    data: RequestInput,
    comment: str = "",
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    """The requester edits a returned request and sends it to the director again."""
    now = moment(now)
    _validate(data, user_scope(by))
    comment = _text(comment, "comment", required=False)
    with _act(
        request=request,
        task_id=task_id,
        by=by,
        nodes=("revise",),
        version=version,
        same=Same(by, ("resent",), comment),
    ) as (activation, request):
        for name in _FIELDS:
            setattr(request, name, getattr(data, name))
        step_record(request, "resent", by=by, now=now, text=comment)
        _finish(activation, request, decided=Decision.ROUTE, now=now)
    return request


# Answers


def _answer(
    request: CoordinationRequest,
    activation: Any,
    *,
    by: User,
    answer: str,
    now: datetime.datetime,
    event: str,
) -> None:
    request.answer = answer
    request.answered_at = now
    request.answered_by = by
    step_record(request, event, by=by, now=now, on_behalf_of=_on_behalf(by, request.province), text=answer)
    notify(recipients=[request.requester], kind=Kind.ANSWERED, context=notice_context(request), now=now)


def request_answer(
    *,
    request: CoordinationRequest,
    task_id: int | None,
    by: User,
    answer: str,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    """Answer: the director directly at review, the handler at the target, or the district officer the
    handler passed it on to. The requester then accepts or reopens it."""
    now = moment(now)
    answer = _text(answer, "answer")
    with _act(
        request=request,
        task_id=task_id,
        by=by,
        nodes=("review", "handle", "district_answer"),
        version=version,
        same=Same(by, ("answered_directly", "answered", "answered_by_district"), answer),
    ) as (activation, request):
        node = activation.task.flow_task.name
        event = {
            "review": "answered_directly",
            "handle": "answered",
            "district_answer": "answered_by_district",
        }[node]
        _answer(request, activation, by=by, answer=answer, now=now, event=event)
        handler = activation.process.data.get("handler") if node == "district_answer" else by.pk
        extra = {"direct": True} if node == "review" else {}
        _finish(activation, request, decided=Decision.ANSWER, now=now, handler=handler, **extra)
    return request


def request_ask_clarification(
    *,
    request: CoordinationRequest,
    task_id: int | None,
    by: User,
    question: str,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    now = moment(now)
    question = _text(question, "question")
    with _act(
        request=request,
        task_id=task_id,
        by=by,
        nodes=("handle",),
        version=version,
        same=Same(by, ("clarification_asked",), question),
    ) as (activation, request):
        step_record(request, "clarification_asked", by=by, now=now, text=question)
        _finish(activation, request, decided=Decision.CLARIFY, now=now, handler=by.pk)
    return request


def request_clarify(
    *,
    request: CoordinationRequest,
    task_id: int | None,
    by: User,
    reply: str,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    """The requester's reply: the request goes back to the handler who asked."""
    now = moment(now)
    reply = _text(reply, "reply")
    with _act(
        request=request,
        task_id=task_id,
        by=by,
        nodes=("clarify",),
        version=version,
        same=Same(by, ("clarified",), reply),
    ) as (activation, request):
        step_record(request, "clarified", by=by, now=now, text=reply)
        _finish(activation, request, decided=Decision.CLARIFY, now=now)
    return request


def request_hand_on(
    *,
    request: CoordinationRequest,
    task_id: int | None,
    by: User,
    officer: Officer,
    note: str = "",
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    """The handler at a province passes the request to one of its district officers, who answers."""
    now = moment(now)
    note = _text(note, "note", required=False)
    with _act(
        request=request,
        task_id=task_id,
        by=by,
        nodes=("handle",),
        version=version,
        same=Same(by, ("handed_on",), note),
    ) as (activation, request):
        province = request.target_province
        if (
            province is None
            or officer.user is None
            or not user_scope(officer.user).has_role(Role.DISTRICT_OFFICER, province)
        ):
            raise RequestError(_("Choose a district officer of your own province."))
        step_record(request, "handed_on", by=by, now=now, to=str(officer), text=note)
        _finish(
            activation,
            request,
            decided=Decision.HAND_ON,
            now=now,
            handler=by.pk,
            district_officer=officer.user.pk,
        )
    return request


# The requester's acceptance


def request_accept(
    *,
    request: CoordinationRequest,
    task_id: int | None,
    by: User,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    now = moment(now)
    with _act(
        request=request,
        task_id=task_id,
        by=by,
        nodes=("acceptance",),
        version=version,
        same=Same(by, ("accepted",)),
    ) as (activation, request):
        step_record(request, "accepted", by=by, now=now)
        _finish(activation, request, decided=Decision.ACCEPT, now=now)
        request_closed(request, now=now)
    return request


def request_reopen(
    *,
    request: CoordinationRequest,
    task_id: int | None,
    by: User,
    reason: str,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    """Once: the request goes back to whoever answered it."""
    now = moment(now)
    reason = _text(reason, "reason")
    with _act(
        request=request,
        task_id=task_id,
        by=by,
        nodes=("acceptance",),
        version=version,
        same=Same(by, ("reopened",), reason),
    ) as (activation, request):
        if request.reopened:
            raise RequestError(_("A request can be reopened only once."))
        request.reopened = True
        request.reopened_at = now
        step_record(request, "reopened", by=by, now=now, text=reason)
        _finish(activation, request, decided=Decision.REOPEN, now=now)
    return request


# Withdraw


def request_withdraw(
    *,
    request: CoordinationRequest,
    by: User,
    reason: str,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    """The requester withdraws a request nobody has answered yet: its open task is cancelled. Under the
    flow's lock, so that an answer and a withdrawal at the same moment do not both happen."""
    now = moment(now)
    reason = _text(reason, "reason")
    refuse_outer_transaction()
    lock = CoordinationFlow.lock(request.process_id) if request.process_id else transaction.atomic()
    try:
        with lock, action_by(by):
            return _withdraw(request, by=by, reason=reason, version=version, now=now)
    except FlowLockFailed:
        raise TaskUnavailable(_busy()) from None


def _withdraw(
    request: CoordinationRequest, *, by: User, reason: str, version: int | None, now: datetime.datetime
) -> CoordinationRequest:
    request = CoordinationRequest.objects.select_for_update().get(pk=request.pk)
    if request.requester_id != by.pk:
        raise RequestError(_("Only the requester can withdraw this request."))
    _check_version(request, version, Same(by, ("withdrawn",), reason))
    if request.status not in RequestStatus.withdrawable():
        raise RequestError(_("This request has been answered or closed: it can no longer be withdrawn."))
    if request.process_id is not None:
        process = Process.objects.get(pk=request.process_id)
        open_tasks = list(
            Task.objects.filter(process=process, flow_task_type="HUMAN").exclude(
                status__in=[STATUS.DONE, STATUS.CANCELED, STATUS.REVIVED]
            )
        )
        CoordinationFlow.instance.cancel(process)
        for task in open_tasks:
            deadline_close(task=task, now=now, cancelled=True)
    notified = request.holder
    request.status = RequestStatus.WITHDRAWN
    request.reason = reason
    request.closed_at = now
    request.current_task = None
    request.holder = None
    request.holder_unit = None
    request.due_at = None
    request.updated_at = now
    request.save()
    step_record(request, "withdrawn", by=by, now=now, text=reason)
    if notified is not None:
        notify(
            recipients=[notified], kind=Kind.CLOSED, context=notice_context(request, reason=reason), now=now
        )
    return request


# Pools: claim and release; reassignment by an escalation recipient


def may_draw_from(scope: UserScope, unit: Unit | None) -> bool:
    if unit is None or scope.officer is None:
        return False
    if unit.kind == Unit.Kind.COORDINATION_CENTRE:
        return scope.is_central
    return unit.pk in scope.units_by_role.get(Role.BUREAU_DESK, frozenset())


def request_claim(
    *,
    request: CoordinationRequest,
    task_id: int | None,
    by: User,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    now = moment(now)
    with _act(
        request=request,
        task_id=task_id,
        by=None,
        actor=by,
        statuses=OPEN_STATUSES,
        gone=_("This request is no longer waiting in the pool."),
        version=version,
        same=Same(by, ("claimed",)),
    ) as (activation, request):
        if activation.task.status != STATUS.NEW or activation.task.flow_task.name != "handle":
            holder = person_name(activation.task.owner)
            raise TaskUnavailable(
                _("%(name)s has just claimed this request.") % {"name": holder}
                if holder
                else _("This request is no longer waiting in the pool.")
            )
        if not may_draw_from(user_scope(by), request.holder_unit):
            raise RequestError(_("Only members of the unit can claim this request."))
        activation.assign(by)
        Deadline.objects.filter(
            task_type__model="task",
            task_type__app_label="viewflow",
            task_id=activation.task.pk,
            status=Deadline.Status.OPEN,
        ).update(assignee=by)
        request.holder = by
        request.updated_at = now
        request.save()
        step_record(request, "claimed", by=by, now=now)
    return request


def request_release(
    *,
    request: CoordinationRequest,
    task_id: int | None,
    by: User,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    now = moment(now)
    with _act(
        request=request,
        task_id=task_id,
        by=by,
        nodes=("handle",),
        version=version,
        same=Same(by, ("released",)),
    ) as (activation, request):
        if request.target_unit is None or activation.process.data.get("direct"):
            raise RequestError(_("Only a request claimed from a pool can be released."))
        activation.unassign()
        activation.process.data["handler"] = None
        activation.process.save()
        Deadline.objects.filter(
            task_type__model="task",
            task_type__app_label="viewflow",
            task_id=activation.task.pk,
            status=Deadline.Status.OPEN,
        ).update(assignee=None)
        request.holder = None
        request.holder_unit = request.target_unit
        request.updated_at = now
        request.save()
        step_record(request, "released", by=by, now=now)
    return request


def may_reassign(scope: UserScope, request: CoordinationRequest) -> bool:
    """The escalation recipients of the task: the group director and the provincial head of the province
    holding it, and central staff; a pool's members for a pool task."""
    if not request.is_open or request.current_task_id is None:
        return False
    if scope.is_central:
        return True
    province = request.holder_province
    return province is not None and (
        scope.has_role(Role.GROUP_DIRECTOR, province) or scope.has_role(Role.PROVINCIAL_HEAD, province)
    )


def request_reassign(
    *,
    request: CoordinationRequest,
    task_id: int | None,
    by: User,
    to: User,
    reason: str = "",
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    now = moment(now)
    reason = _text(reason, "reason", required=False)
    with _act(
        request=request,
        task_id=task_id,
        by=None,
        actor=by,
        statuses=(STATUS.NEW, STATUS.ASSIGNED),
        gone=_("This request has moved on: reload the page."),
        version=version,
        same=Same(by, (TimelineEntry.Kind.REASSIGNED,), reason),
    ) as (activation, request):
        if not may_reassign(user_scope(by), request):
            raise RequestError(_("You cannot reassign this request."))
        if activation.task.flow_task.name == "handle" and request.target_province is not None:
            activation.process.data["handler"] = to.pk
            activation.process.save()
        task_hand_over(activation, to=to, by=by, now=now, reason=reason, context=notice_context(request))
        request.holder = to
        request.holder_unit = None
        request.updated_at = now
        request.save()
    return request


# The director's review follows who directs the province (flows/task_life.py: tasks_follow_responsibility)


def _open_reviews(provinces: Iterable[int] | None, districts: Iterable[int] | None) -> list[Task]:
    """The open review tasks of requests waiting for their province's director, within the scope."""
    requests = CoordinationRequest.objects.filter(status=RequestStatus.REVIEW, process__isnull=False)
    if provinces is not None:
        requests = requests.filter(province__in=list(provinces))
    if districts is not None:
        requests = requests.filter(district__in=list(districts))
    tasks = Task.objects.filter(process__in=requests.values("process_id"), status__in=OPEN_STATUSES)
    return [t for t in tasks.select_related("process") if t.flow_task.name == "review"]


def _review_holders(tasks: list[Task], on: datetime.date) -> dict[int, User]:
    """Whoever directs the requester's province today (assignee_review)."""
    requests = CoordinationRequest.objects.filter(process__in=[t.process_id for t in tasks]).select_related(
        "province"
    )
    province_of = {r.process_id: r.province for r in requests}
    directors: dict[int, User | None] = {}
    holders = {}
    for task in tasks:
        province = province_of.get(task.process_id)
        if province is None:
            continue
        if province.pk not in directors:
            directors[province.pk] = user_of(province_director(province=province, on=on))
        director = directors[province.pk]
        if director is not None:
            holders[task.pk] = director
    return holders


def _review_handed(request: CoordinationRequest, to: User, now: datetime.datetime) -> dict[str, Any]:
    request.holder = to
    request.holder_unit = None
    request.updated_at = now
    request.save()
    return notice_context(request)


REVIEW_RESPONSIBILITY = Responsibility(
    tasks=_open_reviews,
    holders=_review_holders,
    lock_case=request_of_process,
    handed=_review_handed,
    reason=lambda: _("Who directs the province changed."),
)


# Comments and attachments


def request_comment(
    *, request: CoordinationRequest, by: User, text: str, now: datetime.datetime | None = None
) -> TimelineEntry:
    now = moment(now)
    text = _text(text, "text", limit=2000)
    return timeline_add(case=request, kind=TimelineEntry.Kind.COMMENT, at=now, actor=by, data={"text": text})


# (extension, content type, a check of the first bytes / the zip's parts)
PDF, DOCX, XLSX, JPG, PNG = "pdf", "docx", "xlsx", "jpg", "png"
CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    JPG: "image/jpeg",
    PNG: "image/png",
}
EXTENSIONS = {"pdf": PDF, "docx": DOCX, "xlsx": XLSX, "jpg": JPG, "jpeg": JPG, "png": PNG}


def sniff(upload: UploadedFile) -> str | None:
    """The file's real type from its content: PDF, PNG and JPEG by their signature; DOCX and XLSX by the
    parts of their zip package. None for anything else."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
    return None


def attachment_check(upload: UploadedFile) -> str:
    """The file's kind, or a ValidationError worded for the person who chose it."""
    name = upload.name or ""
    limit = settings.REQUEST_ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("%(name)s is larger than %(limit)s MB.") % {"name": name, "limit": limit // (1024 * 1024)}
        )
    if not upload.size:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    kind = sniff(upload)
    extension = EXTENSIONS.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
    if kind is None or extension != kind:
        raise ValidationError(
            _("%(name)s is not a PDF, Word (DOCX), Excel (XLSX), JPG or PNG file.") % {"name": name}
        )
    return kind


def may_attach(user: User, request: CoordinationRequest) -> bool:
    if request.status in RequestStatus.finished():
        return False
    return request.requester_id == user.pk or request.holder_id == user.pk


@transaction.atomic
def attachment_add(
    *, request: CoordinationRequest, by: User, upload: UploadedFile, now: datetime.datetime | None = None
) -> Attachment:
    now = moment(now)
    if not may_attach(by, request):
        raise RequestError(_("You cannot add files to this request now."))
    if request.attachments.count() >= settings.REQUEST_ATTACHMENTS_PER_REQUEST:
        raise ValidationError(
            _("A request can have at most %(n)s files.") % {"n": settings.REQUEST_ATTACHMENTS_PER_REQUEST}
        )
    kind = attachment_check(upload)
    name = (upload.name or "file").replace("/", "_").replace("\\", "_")[-200:]
    attachment = Attachment(
        request=request,
        name=name,
        content_type=CONTENT_TYPES[kind],
        size=upload.size or 0,
        uploaded_by=by,
        uploaded_at=now,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    step_record(request, "attached", by=by, now=now, name=name)
    return attachment


Action = Callable[..., CoordinationRequest]


@transaction.atomic
def defaults_ensure() -> None:
    """The defaults of migration 0002 (cases/defaults.py) again, for a database a test's flush emptied."""
    for order, (code, name_th, name_en) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code, defaults={"name_th": name_th, "name_en": name_en, "order": order}
        )
    policy = default_policy_ensure()
    for step, (days, reminders, ladder) in STEPS.items():
        if not policy.rules.filter(step=step).exists():
            policy_define_step(
                policy=policy,
                step=step,
                working_days=dict(zip(list(Urgency), days, strict=True)),
                reminders=reminders,
                ladder=None if ladder else [],
            )
