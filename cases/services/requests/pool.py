"""Who holds a request: a unit's pool (claimed and released), a reassignment within a unit or a province, and a
province's reviews when who directs it changes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import CoordinationRequest, RequestStatus
from cases.services.process import moment, notice_context, request_of_process, step_record, user_of
from cases.services.requests.common import RequestError, Same, act_on, clean_text
from deadlines.models import Deadline, TimelineEntry
from flows.task_life import OPEN_STATUSES, Responsibility, TaskUnavailable, task_hand_over
from organisation.models import Role, Unit
from organisation.models.people import person_name
from organisation.selectors.roles import UserScope, province_director, user_scope


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
    with act_on(
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
    with act_on(
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
    reason = clean_text(reason, "reason", required=False)
    with act_on(
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
