"""The steps after sending: the group director routes, returns or rejects; the target answers, asks for a
clarification or hands the request on; the requester clarifies, accepts or reopens."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from cases.models import CoordinationRequest, RequestStatus
from cases.services.process import Decision, moment, notice_context, request_closed, step_record
from cases.services.requests.common import RequestError, Same, act_on, clean_text, finish_step, on_behalf_of
from notifications.models import Kind
from notifications.services import notify
from organisation.models import Officer, Province, Role, Unit
from organisation.selectors.roles import user_scope


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
    comment = clean_text(comment, "comment", required=False)
    with act_on(
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
            on_behalf_of=on_behalf_of(by, request.province),
            to=str(request.target),
            text=comment,
        )
        if request.routed_at is None:
            request.routed_at = now
        finish_step(activation, request, decided=Decision.ROUTE, now=now, handler=None, direct=False)
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
    reason = clean_text(reason, "reason")
    with act_on(
        request=request,
        task_id=task_id,
        by=by,
        nodes=("review",),
        version=version,
        same=Same(by, ("returned",), reason),
    ) as (activation, request):
        step_record(
            request, "returned", by=by, now=now, on_behalf_of=on_behalf_of(by, request.province), text=reason
        )
        finish_step(activation, request, decided=Decision.RETURN, now=now)
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
    reason = clean_text(reason, "reason")
    with act_on(
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
            request, "rejected", by=by, now=now, on_behalf_of=on_behalf_of(by, request.province), text=reason
        )
        finish_step(activation, request, decided=Decision.REJECT, now=now)
        request.status = RequestStatus.REJECTED
        request.save(update_fields=["status"])
        notify(
            recipients=[request.requester],
            kind=Kind.CLOSED,
            context=notice_context(request, reason=reason),
            now=now,
        )
    return request


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
    step_record(request, event, by=by, now=now, on_behalf_of=on_behalf_of(by, request.province), text=answer)
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
    answer = clean_text(answer, "answer")
    with act_on(
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
        finish_step(activation, request, decided=Decision.ANSWER, now=now, handler=handler, **extra)
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
    question = clean_text(question, "question")
    with act_on(
        request=request,
        task_id=task_id,
        by=by,
        nodes=("handle",),
        version=version,
        same=Same(by, ("clarification_asked",), question),
    ) as (activation, request):
        step_record(request, "clarification_asked", by=by, now=now, text=question)
        finish_step(activation, request, decided=Decision.CLARIFY, now=now, handler=by.pk)
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
    reply = clean_text(reply, "reply")
    with act_on(
        request=request,
        task_id=task_id,
        by=by,
        nodes=("clarify",),
        version=version,
        same=Same(by, ("clarified",), reply),
    ) as (activation, request):
        step_record(request, "clarified", by=by, now=now, text=reply)
        finish_step(activation, request, decided=Decision.CLARIFY, now=now)
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
    note = clean_text(note, "note", required=False)
    with act_on(
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
        finish_step(
            activation,
            request,
            decided=Decision.HAND_ON,
            now=now,
            handler=by.pk,
            district_officer=officer.user.pk,
        )
    return request


def request_accept(
    *,
    request: CoordinationRequest,
    task_id: int | None,
    by: User,
    version: int | None = None,
    now: datetime.datetime | None = None,
) -> CoordinationRequest:
    now = moment(now)
    with act_on(
        request=request,
        task_id=task_id,
        by=by,
        nodes=("acceptance",),
        version=version,
        same=Same(by, ("accepted",)),
    ) as (activation, request):
        step_record(request, "accepted", by=by, now=now)
        finish_step(activation, request, decided=Decision.ACCEPT, now=now)
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
    reason = clean_text(reason, "reason")
    with act_on(
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
        finish_step(activation, request, decided=Decision.REOPEN, now=now)
    return request
