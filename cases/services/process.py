"""The coordination request's side of its process: what flows/coordination.py calls (the start, who
each task goes to, what the last step decided, a task opening with its deadline, the closing by the
acceptance timer). Nothing here drives the flow: that is cases/services/requests/, which imports the flow."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from cases.models import CoordinationRequest, RequestStatus
from cases.selectors.requests import pool_members
from deadlines.models import Deadline, TimelineEntry, Urgency
from deadlines.models.policy import DeadlineRule
from deadlines.services.deadlines import active_policy, deadline_close, step_moment, step_moment_record
from deadlines.services.timeline import timeline_add
from flows.task_life import task_open
from notifications import webhooks
from notifications.models import Kind, WebhookEventKind
from notifications.services import action_note, case_context, notify
from organisation.models import Officer, Province
from organisation.selectors.roles import acting_group_director, province_director
from workdays.calendar import working_calendar

# The deadline policy step of each human task of the flow.
STEP_OF_NODE = {
    "review": "coordination.review",
    "revise": "coordination.reply",
    "handle": "coordination.answer",
    "clarify": "coordination.reply",
    "district_answer": "coordination.answer",
    "acceptance": "coordination.acceptance",
}
STATUS_OF_NODE = {
    "review": RequestStatus.REVIEW,
    "revise": RequestStatus.RETURNED,
    "handle": RequestStatus.AT_TARGET,
    "clarify": RequestStatus.CLARIFICATION,
    "district_answer": RequestStatus.HANDED_ON,
    "acceptance": RequestStatus.ANSWERED,
}


class Decision:
    """What the last human step decided; the flow's gateways read it from the process data."""

    ROUTE = "route"
    RETURN = "return"
    REJECT = "reject"
    ANSWER = "answer"
    CLARIFY = "clarify"
    HAND_ON = "hand_on"
    ACCEPT = "accept"
    REOPEN = "reopen"


def moment(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def notice_context(request: CoordinationRequest, **extra: Any) -> dict[str, Any]:
    return case_context(request, **extra)


# The steps of a request that outside systems subscribe to (notifications/webhooks.py); a request's
# closing by acceptance or by its timer is `request_closed`'s.
WEBHOOK_STEPS = {
    "sent": WebhookEventKind.REQUEST_SENT,
    "routed": WebhookEventKind.REQUEST_ROUTED,
    "answered_directly": WebhookEventKind.REQUEST_ANSWERED,
    "answered": WebhookEventKind.REQUEST_ANSWERED,
    "answered_by_district": WebhookEventKind.REQUEST_ANSWERED,
    "rejected": WebhookEventKind.REQUEST_CLOSED,
    "withdrawn": WebhookEventKind.REQUEST_CLOSED,
}


def step_record(
    request: CoordinationRequest,
    event: str,
    *,
    by: User | None,
    now: datetime.datetime,
    on_behalf_of: User | None = None,
    **data: Any,
) -> None:
    action_note(on_behalf_of=on_behalf_of, text=str(data.get("text") or ""))  # told in its notices
    timeline_add(
        case=request,
        kind=TimelineEntry.Kind.STEP,
        at=now,
        actor=by,
        on_behalf_of=on_behalf_of,
        data={"event": event, **data},
    )
    if event in WEBHOOK_STEPS:
        webhooks.emit(
            kind=WEBHOOK_STEPS[event],
            province=request.province_id,
            data=webhooks.object_data(request, step=event),
            now=now,
        )


# The process


def process_begin(*, process: Process, request: CoordinationRequest) -> Process:
    """The start node: the process remembers its request."""
    process.data = step_moment_record({"request": request.pk}, request.sent_at or timezone.now())
    process.artifact = request
    return process


def request_of_process(process: Process, lock: bool = True) -> CoordinationRequest:
    qs = CoordinationRequest.objects.select_related("province", "requester", "target_unit", "target_province")
    if lock:
        qs = qs.select_for_update(of=("self",))
    request = qs.get(pk=process.data["request"])
    if request.process_id is None:
        request.process_id = process.pk
    return request


# Who each task goes to (called by the flow's Assign)


def user_of(officer: Officer | None) -> User | None:
    return officer.user if officer is not None and officer.is_active else None


def assignee_review(process: Process) -> User | None:
    """The group director of the requester's province, or the acting deputy on their days; without one, the
    provincial head."""
    request = request_of_process(process, lock=False)
    return user_of(province_director(province=request.province, on=timezone.localdate()))


def assignee_requester(process: Process) -> User | None:
    return request_of_process(process, lock=False).requester


def assignee_handler(process: Process) -> User | None:
    """The one who handled it before (after a clarification or a reopening); else the target province's
    group director; a central unit's task goes to its pool (nobody until a member claims it)."""
    handler = process.data.get("handler")
    if handler:
        return User.objects.filter(pk=handler, is_active=True).first()
    request = request_of_process(process, lock=False)
    if request.target_province is not None:
        return user_of(acting_group_director(province=request.target_province, on=timezone.localdate()))
    return None


def assignee_district_officer(process: Process) -> User | None:
    return User.objects.filter(pk=process.data.get("district_officer")).first()


def decision(process: Process) -> str:
    return str(process.data.get("decision", ""))


# When a task opens (the flow's onCreate) and closes


def task_opened(*, task: Task, now: datetime.datetime | None = None) -> Deadline:
    """A human task was created: it gets its deadline, the request shows where it is, the holder is told.
    Without `now`, at the moment of the step that opened it."""
    now = now or step_moment(task.process.data)
    node = task.flow_task.name
    request = request_of_process(task.process)
    pool_unit = None
    # Whose director and head the ladder climbs to: the target province's for its answer, the requester's
    # province's for its own steps (and for the director's direct answer); a central unit's answer has no
    # province (the ladder goes to the coordination centre).
    province: Province | None = request.province
    if node in ("handle", "district_answer") and not task.process.data.get("direct"):
        province = request.target_province
        if node == "handle" and request.target_unit is not None and task.owner_id is None:
            pool_unit = request.target_unit
    owner: User | None = task.owner
    is_director = bool(
        owner is not None
        and province is not None
        and (officer := getattr(owner, "officer", None)) is not None
        and officer == acting_group_director(province=province, on=timezone.localdate())
    )
    recipients = (
        [owner] if owner else [o.user for o in pool_members(pool_unit) if o.user] if pool_unit else []
    )
    deadline = task_open(
        task=task,
        case=request,
        step=STEP_OF_NODE[node],
        urgency=Urgency(request.urgency),
        province=province,
        now=now,
        kind=Kind.RETURNED if node in ("revise", "clarify") else Kind.TASK_ASSIGNED,
        context=notice_context(request, step=STEP_OF_NODE[node]),
        assignee_is_director=is_director,
        unit=pool_unit,
        recipients=recipients,
    )
    request.status = STATUS_OF_NODE[node]
    request.current_task = task
    request.holder = owner
    request.holder_unit = pool_unit
    request.holder_province = province
    request.due_at = deadline.due_at
    request.updated_at = now
    request.save()
    return deadline


def acceptance_closes_at(process: Process) -> datetime.datetime:
    """When an answered request closes itself: the acceptance step's working days, from the answer."""
    request = request_of_process(process, lock=False)
    rule = DeadlineRule.objects.get(
        policy=active_policy(), step=STEP_OF_NODE["acceptance"], urgency=request.urgency
    )
    return working_calendar().deadline(step_moment(process.data), rule.working_days)


def request_closed(
    request: CoordinationRequest, *, now: datetime.datetime, automatically: bool = False
) -> None:
    request.status = RequestStatus.CLOSED
    request.closed_at = now
    request.closed_automatically = automatically
    request.due_at = None
    request.save()
    recipients = [u for u in {request.requester, request.answered_by} if u is not None]
    notify(recipients=recipients, kind=Kind.CLOSED, context=notice_context(request), now=now)
    webhooks.emit(
        kind=WebhookEventKind.REQUEST_CLOSED,
        province=request.province_id,
        data=webhooks.object_data(request, step="closed_automatically" if automatically else "accepted"),
        now=now,
    )


def request_auto_close(*, process: Process, now: datetime.datetime | None = None) -> None:
    """The acceptance timer fired (the flow's auto_close node): nobody accepted or reopened the answer."""
    now = moment(now)
    request = request_of_process(process)
    for task in Task.objects.filter(process=process, flow_task_type="HUMAN", status__in=[STATUS.CANCELED]):
        deadline_close(task=task, now=now, cancelled=True)
    request.current_task = None
    request.holder = None
    step_record(request, "closed_automatically", by=None, now=now)
    request_closed(request, now=now, automatically=True)
