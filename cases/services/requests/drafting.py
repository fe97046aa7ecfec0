"""The requester's part: a draft and its checks, the number on sending, sending again after a return, withdrawing."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from cases.models import Category, CoordinationRequest, RequestCounter, RequestStatus
from cases.selectors.requests import current_district_ids
from cases.services.process import Decision, moment, notice_context, step_record
from cases.services.requests.common import (
    SUBJECT_MAX,
    TEXT_MAX,
    RequestError,
    Same,
    act_on,
    busy_message,
    check_version,
    clean_text,
    finish_step,
)
from deadlines.models import TimelineEntry, Urgency
from deadlines.services.deadlines import deadline_close
from flows.coordination import CoordinationFlow
from flows.task_life import TaskUnavailable, refuse_outer_transaction
from notifications.models import Kind
from notifications.services import action_by, notify
from organisation.data.province_abbreviations import PROVINCE_ABBREVIATIONS
from organisation.models import District, LocalGovernmentOrganisation, Province, Role, Unit
from organisation.selectors.roles import UserScope, user_scope
from workdays.calendar import fiscal_year
from workdays.forms import one_line
from workdays.thai import thai_order

NUMBER_PREFIX = "ปส."


def province_abbreviation(province: Province) -> str:
    return PROVINCE_ABBREVIATIONS.get(province.code) or province.abbreviation or province.code


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
            setattr(data, name, clean_text(getattr(data, name), name, limit=limit))
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
        check_version(request, version, _sent_as_typed(request, data, by))
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
    check_version(request, version)
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
    comment = clean_text(comment, "comment", required=False)
    with act_on(
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
        finish_step(activation, request, decided=Decision.ROUTE, now=now)
    return request


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
    reason = clean_text(reason, "reason")
    refuse_outer_transaction()
    lock = CoordinationFlow.lock(request.process_id) if request.process_id else transaction.atomic()
    try:
        with lock, action_by(by):
            return _withdraw(request, by=by, reason=reason, version=version, now=now)
    except FlowLockFailed:
        raise TaskUnavailable(busy_message()) from None


def _withdraw(
    request: CoordinationRequest, *, by: User, reason: str, version: int | None, now: datetime.datetime
) -> CoordinationRequest:
    request = CoordinationRequest.objects.select_for_update().get(pk=request.pk)
    if request.requester_id != by.pk:
        raise RequestError(_("Only the requester can withdraw this request."))
    check_version(request, version, Same(by, ("withdrawn",), reason))
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
