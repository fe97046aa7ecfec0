"""The work of a district report (flows/reporting.py is its wiring): drafts, submission, the director's
review, reopening and extensions by the centre, deadlines through the engine, timeline and notifications.

Values arrive as the text the officer typed; `parse_input` turns them into numbers or messages per field,
so a page can show each message next to its field with everything that was typed still in it.
Every save carries the revision the page was opened with: a save from an older page (another tab) is
refused with ReportConflict and nothing is overwritten."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from audit.services import changes_record
from deadlines.models import Deadline, TimelineEntry, Urgency
from deadlines.services.deadlines import deadlines_move, step_moment
from deadlines.services.timeline import timeline_add, timeline_entry
from flows.task_life import (
    Responsibility,
    TaskUnavailable,
    task_act,
    task_complete,
    task_hand_over,
    task_open,
    tasks_cancel,
)
from notifications import webhooks
from notifications.models import Kind, WebhookEventKind
from notifications.services import Event, action_by, action_note, case_context, notify_many
from organisation.models.people import person_name
from organisation.selectors.roles import district_responsible, province_director
from reporting.defaults import FILL_STEP, REVIEW_STEP
from reporting.models import (
    LETTER_FIELDS,
    CycleIndicator,
    DistrictReport,
    ReportingCycle,
    ReportStatus,
    ReportValue,
)
from workdays.calendar import working_calendar
from workdays.templatetags.thai_dates import thai_datetime

OPEN_TASK = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
COMMENT_MAX = 2000
# The largest count a field takes (the letter counts are 32-bit columns); a larger one is refused, saying so.
COUNT_MAX = 1_000_000_000
# Thai digits are accepted as typed (๐-๙), and thousands separators.
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SEPARATORS = re.compile(r"[,\s\u00a0]")


class Decision:
    RETURN = "return"
    APPROVE = "approve"
    REOPEN = "reopen"
    CLOSE = "close"


class ReportError(Exception):
    """The action is not possible now; the message says why, in the user's language."""

    # Set when a refused submission still saved what was typed as a draft: the page's new revision.
    saved_revision: int | None = None


class ReportConflict(ReportError):
    """The page was opened before someone else's save."""


class ReportInvalid(ReportError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Some values need your attention: see the messages next to the fields."))
        self.errors = errors


@dataclass
class ReportInput:
    """What the officer typed: raw text per field (`i_<pk>` for indicators, the letter fields by name),
    the indicators whose value above the bound they confirmed now (a confirmation saved with the draft
    holds while the value stays the same), and the revision their page showed."""

    raw: dict[str, str]
    confirmed: set[str] = field(default_factory=set)
    revision: int = 0


@dataclass
class Parsed:
    values: dict[str, int | None]
    errors: dict[str, str]
    # Fields above their bound, not confirmed: fine in a draft, refused on submission.
    unconfirmed: dict[str, str]
    # Fields above their bound, confirmed now or earlier for this very value: saved as confirmed.
    confirmed: set[str] = field(default_factory=set)


def report_fields(cycle: ReportingCycle) -> list[tuple[str, CycleIndicator | None]]:
    indicators = [(i.field_name, i) for i in cycle.indicators.all()]
    return [*indicators, *((name, None) for name in LETTER_FIELDS)]


def _parse_count(text: str) -> tuple[int | None, str]:
    cleaned = _SEPARATORS.sub("", (text or "").translate(_THAI_DIGITS))
    if cleaned == "":
        return None, ""
    if re.fullmatch(r"[+-]?\d+", cleaned):
        value = int(cleaned)
        if value < 0:
            return None, _("A count cannot be negative.")
        if value > COUNT_MAX:
            return None, _("This number is too large: a field takes at most %(max)s.") % {
                "max": f"{COUNT_MAX:,}"
            }
        return value, ""
    if re.fullmatch(r"[+-]?\d*[.]\d+|[+-]?\d+[.]\d*", cleaned):
        return None, _("Write a whole number, without decimals.")
    return None, _("Write a number, for example 12.")


def confirmed_values(report: DistrictReport) -> dict[str, int]:
    """The values above their bound that the officer confirmed, as saved with the report: field -> value."""
    return {f"i_{v.indicator_id}": v.value for v in report.values.all() if v.confirmed}


def parse_input(
    cycle: ReportingCycle, data: ReportInput, *, confirmed_before: Mapping[str, int] | None = None
) -> Parsed:
    """Numbers from what was typed, with a message per badly typed field. A value above its bound is
    confirmed when ticked now, or when the same value was confirmed before (`confirmed_before`, saved with
    the draft); a changed value asks again."""
    parsed = Parsed(values={}, errors={}, unconfirmed={})
    before = confirmed_before or {}
    for name, indicator in report_fields(cycle):
        value, error = _parse_count(data.raw.get(name, ""))
        if error:
            parsed.errors[name] = error
            continue
        parsed.values[name] = value
        bound = indicator.upper_bound if indicator else None
        if value is None or bound is None or value <= bound:
            continue
        if name in data.confirmed or before.get(name) == value:
            parsed.confirmed.add(name)
        else:
            parsed.unconfirmed[name] = _(
                "%(value)s is more than %(bound)s %(unit)s, the usual upper limit. If it is right, tick "
                "“The value is correct”."
            ) % {
                "value": f"{value:,}",
                "bound": f"{bound:,}",
                "unit": indicator.unit_shown if indicator else "",
            }
    return parsed


def missing_fields(cycle: ReportingCycle, values: dict[str, int | None]) -> dict[str, str]:
    """Required values left empty (checked when submitting)."""
    missing = {}
    for name, indicator in report_fields(cycle):
        if values.get(name) is None and (indicator is None or indicator.required):
            missing[name] = _("Required before submitting: write 0 if there was none.")
    return missing


def report_values(report: DistrictReport) -> dict[str, int | None]:
    values: dict[str, int | None] = {f"i_{v.indicator_id}": v.value for v in report.values.all()}
    for name in LETTER_FIELDS:
        values[name] = getattr(report, name)
    return values


# The process and its tasks


def process_begin(*, process: Process, report: DistrictReport) -> Process:
    process.data = {"report": report.pk}
    process.artifact = report
    return process


def _report_of(process: Process, lock: bool = False) -> DistrictReport:
    qs = DistrictReport.objects.select_related("cycle", "province", "district", "assignee")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.get(pk=process.data["report"])


def decision(process: Process) -> str:
    return str(process.data.get("decision", ""))


def review_required(process: Process) -> bool:
    return _report_of(process).cycle.review_required


def _director_user(report: DistrictReport, on: datetime.date) -> User | None:
    officer = province_director(province=report.province, on=on)
    return officer.user if officer is not None else None


def assignee_fill(process: Process) -> User | None:
    """The officer who holds the report (the one responsible when the cycle opened, or it was handed to
    since); a report nobody was responsible for stays with the group director."""
    report = _report_of(process)
    if report.assignee is not None and report.assignee.is_active:
        return report.assignee
    return _director_user(report, timezone.localdate())


def assignee_review(process: Process) -> User | None:
    return _director_user(_report_of(process), timezone.localdate())


def _context(report: DistrictReport, **extra: Any) -> dict[str, Any]:
    return case_context(report, **extra)


def _step(
    report: DistrictReport, event: str, *, by: User | None, now: datetime.datetime, **data: Any
) -> None:
    action_note(text=str(data.get("text") or ""))  # told in its notices
    timeline_add(case=report, kind=TimelineEntry.Kind.STEP, at=now, actor=by, data={"event": event, **data})
    if event in WEBHOOK_STEPS:
        webhooks.emit(
            kind=WEBHOOK_STEPS[event],
            province=report.district.province_id,
            data=webhooks.object_data(report, cycle=report.cycle_id, step=event),
            now=now,
        )


# The steps of a report that outside systems subscribe to (notifications/webhooks.py).
WEBHOOK_STEPS = {
    "report_submitted": WebhookEventKind.REPORT_SUBMITTED,
    "report_returned": WebhookEventKind.REPORT_RETURNED,
    "report_approved": WebhookEventKind.REPORT_APPROVED,
}


def _task_opened(
    task: Task,
    report: DistrictReport,
    *,
    step: str,
    kind: Kind,
    now: datetime.datetime,
    assignee_is_director: bool,
    due_at: datetime.datetime | None = None,
) -> Deadline:
    """A report's human task was created: the shared task life opens it (deadline, timeline, notice)."""
    return task_open(
        task=task,
        case=report,
        step=step,
        urgency=Urgency.NORMAL,
        province=report.province,
        now=now,
        kind=kind,
        context=_context(report),
        assignee_is_director=assignee_is_director,
        due_at=due_at,
    )


def report_opened_entry(
    *, report: DistrictReport, holder: User | None, now: datetime.datetime
) -> TimelineEntry:
    """The first line of a report's timeline (built, not saved): opened for its holder, flagged when nobody
    was responsible for the district. Written by `fill_opened` and by the cycle's bulk opening alike."""
    return timeline_entry(
        case=report,
        kind=TimelineEntry.Kind.STEP,
        at=now,
        data={
            "event": "report_unassigned" if report.unassigned else "report_opened",
            "to": person_name(holder),
        },
    )


def fill_opened(*, task: Task, now: datetime.datetime | None = None) -> Deadline:
    """The report is with its holder: first when the cycle opens (then it is linked to its process and its
    timeline says for whom it opened; the bulk spawn does the same for all districts at once), then when it
    comes back (returned by the director, or reopened by the centre). It gets a deadline (the report's own,
    or the correction window when that has passed) and the holder is told. Without `now`, at the moment of
    the step that opened it."""
    now = now or step_moment(task.process.data)
    report = _report_of(task.process, lock=True)
    if report.process_id is None:  # the cycle opens: the report is linked to its process, as in bulk
        DistrictReport.objects.filter(pk=report.pk).update(process=task.process)
        report_opened_entry(report=report, holder=task.owner, now=now).save()
    return _task_opened(
        task,
        report,
        step=FILL_STEP,
        kind=Kind.TASK_ASSIGNED if report.status == ReportStatus.NOT_STARTED else Kind.RETURNED,
        now=now,
        assignee_is_director=report.unassigned,
        due_at=report.due_at if report.due_at > now else None,
    )


def review_opened(*, task: Task, now: datetime.datetime | None = None) -> Deadline:
    now = now or step_moment(task.process.data)
    report = _report_of(task.process, lock=True)
    return _task_opened(
        task, report, step=REVIEW_STEP, kind=Kind.TASK_ASSIGNED, now=now, assignee_is_director=True
    )


def open_task(report: DistrictReport, node: str | None = None) -> Task | None:
    if report.process_id is None:
        return None
    tasks = Task.objects.filter(process_id=report.process_id, status__in=OPEN_TASK).order_by("-pk")
    for task in tasks:
        if node is None or task.flow_task.name == node:
            return task
    return None


def _gone_text() -> str:
    return _("This report has just moved on (someone else acted on it). The page shows where it is now.")


def _gone() -> TaskUnavailable:
    return TaskUnavailable(_gone_text())


def _lock_report(process: Process) -> DistrictReport:
    return _report_of(process, lock=True)


@contextmanager
def _act(
    task: Task | None, *, by: User, statuses: tuple[str, ...] = (STATUS.ASSIGNED,), gone: str = ""
) -> Iterator[tuple[Any, DistrictReport]]:
    """The report's task under the flow's lock, then the report's row (flows/task_life.py): `by`'s action."""
    with task_act(
        task=task,
        actor=by,
        lock_case=_lock_report,
        busy=_("Someone else is acting on this report right now. Try again in a moment."),
        gone=gone or _gone_text(),
        statuses=statuses,
    ) as (activation, report):
        yield activation, report


# Open tasks follow responsibility (flows/task_life.py: tasks_follow_responsibility)


def _open_tasks_at(node: str, provinces: Iterable[int] | None, districts: Iterable[int] | None) -> list[Task]:
    """The open tasks at `node` of the reports of open cycles, within the scope."""
    reports = DistrictReport.objects.filter(cycle__status=ReportingCycle.Status.OPEN, process__isnull=False)
    if provinces is not None:
        reports = reports.filter(province__in=list(provinces))
    if districts is not None:
        reports = reports.filter(district__in=list(districts))
    tasks = Task.objects.filter(
        process__in=reports.values("process_id"), status__in=OPEN_TASK, flow_task_type="HUMAN"
    ).select_related("process")
    return [t for t in tasks if t.flow_task.name == node]


def _reports_of(tasks: list[Task]) -> dict[int, DistrictReport]:
    """task id → its report."""
    by_process = DistrictReport.objects.filter(process__in=[t.process_id for t in tasks]).in_bulk(
        field_name="process_id"
    )
    return {t.pk: by_process[t.process_id] for t in tasks if t.process_id in by_process}


def _fill_holders(tasks: list[Task], on: datetime.date) -> dict[int, User]:
    """A report's fill task is held by the officer responsible for its district today; a district nobody is
    responsible for keeps its report where it is (assignee_fill: its holder, else the director)."""
    reports = _reports_of(tasks)
    responsible = district_responsible(on=on, districts={r.district_id for r in reports.values()})
    holders = {}
    for task_id, report in reports.items():
        officer = responsible.get(report.district_id)
        if officer is not None and officer.user is not None:
            holders[task_id] = officer.user
    return holders


def _review_holders(tasks: list[Task], on: datetime.date) -> dict[int, User]:
    """A report's review is held by whoever directs its province today (assignee_review)."""
    directors: dict[int, User | None] = {}
    holders = {}
    for task_id, report in _reports_of(tasks).items():
        if report.province_id not in directors:
            directors[report.province_id] = _director_user(report, on)
        director = directors[report.province_id]
        if director is not None:
            holders[task_id] = director
    return holders


def _fill_handed(report: DistrictReport, to: User, now: datetime.datetime) -> dict[str, Any]:
    """The report is the district's new officer's: theirs to fill in (may_edit), on their home page (and
    no longer on the former officer's, nor flagged as nobody's), and where the flow sends it back after a
    return or a reopening (assignee_fill)."""
    DistrictReport.objects.filter(pk=report.pk).update(assignee=to, officer=to.officer, unassigned=False)
    return _context(report)


def _review_handed(report: DistrictReport, to: User, now: datetime.datetime) -> dict[str, Any]:
    return _context(report)


FILL_RESPONSIBILITY = Responsibility(
    tasks=lambda provinces, districts: _open_tasks_at("fill", provinces, districts),
    holders=_fill_holders,
    lock_case=_lock_report,
    handed=_fill_handed,
    reason=lambda: _("The officer responsible for the district changed."),
)
REVIEW_RESPONSIBILITY = Responsibility(
    tasks=lambda provinces, districts: _open_tasks_at("review", provinces, districts),
    holders=_review_holders,
    lock_case=_lock_report,
    handed=_review_handed,
    reason=lambda: _("Who directs the province changed."),
)


# Who may do what


def may_edit(user: User, report: DistrictReport) -> bool:
    return (
        report.assignee_id == user.pk
        and not report.cycle.is_closed
        and report.status in (ReportStatus.NOT_STARTED, ReportStatus.DRAFT, ReportStatus.RETURNED)
    )


def _check_editable(report: DistrictReport, by: User) -> None:
    if report.cycle.is_closed:
        raise ReportError(_("The cycle is closed: its reports can no longer be changed."))
    if report.assignee_id != by.pk:
        raise ReportError(_("Only the officer responsible for this district can fill in its report."))
    if report.status == ReportStatus.APPROVED or report.complete:
        raise ReportError(
            _("This report is complete and can no longer be edited. The coordination centre can reopen it.")
        )
    if report.status == ReportStatus.SUBMITTED:
        raise ReportError(_("This report was submitted and waits for the group director's review."))


def _write_values(report: DistrictReport, parsed: Parsed, by: User, now: datetime.datetime) -> None:
    """The values, each indicator's with its confirmation (kept with the draft)."""
    values = parsed.values
    indicator_ids = {f"i_{pk}": pk for pk in report.cycle.indicators.values_list("pk", flat=True)}
    keep = {indicator_ids[name]: value for name, value in values.items() if name in indicator_ids}
    confirmed = {indicator_ids[name] for name in parsed.confirmed if name in indicator_ids}
    existing = {v.indicator_id: v for v in report.values.all()}
    ReportValue.objects.filter(
        report=report, indicator_id__in=[pk for pk, value in keep.items() if value is None]
    ).delete()
    changed = []
    new = []
    for pk, value in keep.items():
        if value is None:
            continue
        if pk in existing:
            if (existing[pk].value, existing[pk].confirmed) != (value, pk in confirmed):
                existing[pk].value = value
                existing[pk].confirmed = pk in confirmed
                changed.append(existing[pk])
        else:
            new.append(ReportValue(report=report, indicator_id=pk, value=value, confirmed=pk in confirmed))
    ReportValue.objects.bulk_update(changed, ["value", "confirmed"])
    ReportValue.objects.bulk_create(new)
    for name in LETTER_FIELDS:
        if name in values:
            setattr(report, name, values[name])
    report.revision += 1
    report.updated_at = now
    report.updated_by = by


def _lock_row(report: DistrictReport) -> DistrictReport:
    return (
        DistrictReport.objects.select_for_update(of=("self",))
        .select_related("cycle", "province", "district", "assignee")
        .get(pk=report.pk)
    )


_CONFLICT_EVENTS = (
    "report_submitted",
    "report_approved",
    "report_returned",
    "report_reopened",
    "report_closed",
)


def conflict_message(report: DistrictReport) -> str:
    """What happened to the report since a page was opened, in words: the last step on its timeline (a
    submission, a review, a reopening, the close) or, when a save came after it, the last save."""

    step = (
        TimelineEntry.objects.filter(
            case_type=ContentType.objects.get_for_model(DistrictReport),
            case_id=report.pk,
            kind=TimelineEntry.Kind.STEP,
            data__event__in=_CONFLICT_EVENTS,
        )
        .select_related("actor__officer")
        .order_by("-at", "-pk")
        .first()
    )
    if step is not None and (report.updated_at is None or step.at >= report.updated_at):
        at = timezone.localtime(step.at)
        values = {"name": person_name(step.actor), "when": at.strftime("%H:%M"), "day": thai_datetime(at)}
        event = step.data.get("event")
        if event == "report_submitted":
            return (
                _(
                    "This report was submitted by %(name)s at %(when)s (%(day)s), after you opened this page. "
                    "Nothing you typed here was saved: your values are still below, to compare or copy."
                )
                % values
            )
        if event == "report_approved":
            return (
                _(
                    "This report was approved by %(name)s at %(when)s (%(day)s), after you opened this page. "
                    "Nothing you typed here was saved: your values are still below."
                )
                % values
            )
        if event == "report_returned":
            return (
                _(
                    "This report was returned by %(name)s at %(when)s (%(day)s), after you opened this page. "
                    "Nothing you typed here was saved: your values are still below; check the report, then save "
                    "again."
                )
                % values
            )
        if event == "report_reopened":
            return (
                _(
                    "This report was reopened by %(name)s at %(when)s (%(day)s), after you opened this page. "
                    "Nothing you typed here was saved: your values are still below; check the report, then save "
                    "again."
                )
                % values
            )
        return (
            _(
                "The reporting cycle was closed at %(when)s (%(day)s), after you opened this page. Nothing you "
                "typed here was saved: your values are still below."
            )
            % values
        )
    when = timezone.localtime(report.updated_at).strftime("%H:%M") if report.updated_at else ""
    return _(
        "This report was saved elsewhere (another tab or window) at %(when)s, after you opened this "
        "page. What you typed is still below: check the report, then save again."
    ) % {"when": when}


def _check_revision(locked: DistrictReport, revision: int) -> None:
    if locked.revision != revision:
        raise ReportConflict(conflict_message(locked))


def _load_for_update(report: DistrictReport, revision: int) -> DistrictReport:
    locked = _lock_row(report)
    _check_revision(locked, revision)
    return locked


@transaction.atomic
def report_save_draft(
    *, report: DistrictReport, data: ReportInput, by: User, now: datetime.datetime | None = None
) -> DistrictReport:
    """Save what was typed, complete or not. Badly typed values are refused with a message per field and
    nothing is saved."""
    now = now or timezone.now()
    report = _load_for_update(report, data.revision)
    _check_editable(report, by)
    parsed = parse_input(report.cycle, data, confirmed_before=confirmed_values(report))
    if parsed.errors:
        raise ReportInvalid(parsed.errors)
    _write_values(report, parsed, by, now)
    if report.status == ReportStatus.NOT_STARTED:
        report.status = ReportStatus.DRAFT
    report.save()
    return report


def report_submit(
    *, report: DistrictReport, data: ReportInput, by: User, now: datetime.datetime | None = None
) -> DistrictReport:
    """Submit: every required value present, values above a bound confirmed, before the deadline (or its
    extension) unless this is a correction of a report already submitted once. A refused submission still
    keeps what was typed as a draft, when the values themselves are well formed.

    The fill task under the flow's lock, then the report's row; only then the revision and the state are
    checked: a page older than the report's last change gets ReportConflict (saying what happened), a
    closed cycle refuses, whoever comes second of two submissions is told, nothing is written twice."""
    now = now or timezone.now()
    task = open_task(report, "fill")
    if task is None:  # nothing to submit: say why, a stale page first
        with transaction.atomic():
            _check_editable(_load_for_update(report, data.revision), by)
        raise _gone()
    refused: ReportError | None = None
    with _act(task, by=by, statuses=(STATUS.ASSIGNED, STATUS.STARTED)) as (activation, locked):
        _check_revision(locked, data.revision)
        _check_editable(locked, by)
        if activation.task.owner_id != by.pk:
            raise _gone()
        parsed = parse_input(locked.cycle, data, confirmed_before=confirmed_values(locked))
        if parsed.errors:
            raise ReportInvalid(parsed.errors)
        problems = {**missing_fields(locked.cycle, parsed.values), **parsed.unconfirmed}
        past_deadline = locked.late_at(now)  # refused: the officer needs an extension
        _write_values(locked, parsed, by, now)
        if problems or past_deadline:
            if locked.status == ReportStatus.NOT_STARTED:
                locked.status = ReportStatus.DRAFT
            locked.save()
            if problems:
                refused = ReportInvalid(problems)
            else:
                refused = ReportError(
                    _(
                        "The deadline passed on %(due)s: the report cannot be submitted without an extension. "
                        "Your values are saved as a draft; ask the coordination centre for an extension."
                    )
                    % {"due": _display_due(locked.due_at)}
                )
            refused.saved_revision = locked.revision
        else:
            first = locked.submitted_at is None
            locked.record_first_submission(now)
            locked.status = ReportStatus.SUBMITTED
            locked.complete = not locked.cycle.review_required
            locked.review_comments = {}
            locked.save()
            _step(
                locked,
                "report_submitted",
                by=by,
                now=now,
                late=first and locked.late,
                within_extension=first and locked.within_extension,
            )
            task_complete(activation, now=now, data={"decision": "submit"})
    if refused is not None:
        raise refused
    return locked


def _display_due(due: datetime.datetime) -> str:

    return str(thai_datetime(due))


def _review_task(report: DistrictReport, task_id: int | None) -> Task:
    """The review task the director's page showed (or, without one, the open review task)."""
    task = Task.objects.filter(pk=task_id, process_id=report.process_id).first() if task_id else None
    if task is None:
        task = open_task(report, "review")
    if task is None or task.flow_task.name != "review":
        raise _gone()
    return task


def is_reviewer(user: User, report: DistrictReport, on: datetime.date | None = None) -> bool:
    """The province's group director, or the acting deputy on their days (else the provincial head)."""
    return _director_user(report, on or timezone.localdate()) == user


def _take_review(activation: Any, report: DistrictReport, by: User, now: datetime.datetime) -> None:
    """The review task is the holder's; when the province's reviewer changed since it opened (an acting
    deputy's days ended, a new director), today's reviewer takes it over, and the timeline says so."""
    if activation.task.owner_id == by.pk:
        return
    if not is_reviewer(by, report, timezone.localdate(now)):
        raise ReportError(_gone_text())
    task_hand_over(activation, to=by, by=by, now=now, context=_context(report))


def _check_open_cycle(report: DistrictReport) -> None:
    if report.cycle.is_closed:
        raise ReportError(_("The cycle is closed: its reports can no longer be changed."))


def report_approve(
    *, report: DistrictReport, by: User, task_id: int | None = None, now: datetime.datetime | None = None
) -> DistrictReport:
    now = now or timezone.now()
    _check_open_cycle(report)
    with _act(_review_task(report, task_id), by=by) as (activation, report):
        _check_open_cycle(report)
        _take_review(activation, report, by, now)
        report.status = ReportStatus.APPROVED
        report.complete = True
        report.approved_at = now
        report.review_comments = {}
        report.revision += 1
        report.save()
        _step(report, "report_approved", by=by, now=now)
        task_complete(activation, now=now, data={"decision": Decision.APPROVE})
    return report


def report_return(
    *,
    report: DistrictReport,
    by: User,
    general: str,
    comments: dict[str, str],
    task_id: int | None = None,
    now: datetime.datetime | None = None,
) -> DistrictReport:
    """Return to the officer with what to fix: a general comment and comments beside the fields."""
    now = now or timezone.now()
    general = (general or "").strip()
    fields = dict(report_fields(report.cycle))
    comments = {k: v.strip()[:COMMENT_MAX] for k, v in comments.items() if k in fields and (v or "").strip()}
    if not general and not comments:
        raise ReportInvalid({"general": _("Say what the officer should fix.")})
    if len(general) > COMMENT_MAX:
        raise ReportInvalid(
            {"general": _("Keep the comment under %(max)s characters.") % {"max": COMMENT_MAX}}
        )
    _check_open_cycle(report)
    with _act(_review_task(report, task_id), by=by) as (activation, report):
        _check_open_cycle(report)
        _take_review(activation, report, by, now)
        report.status = ReportStatus.RETURNED
        report.complete = False
        report.review_comments = {"general": general, "fields": comments}
        report.revision += 1
        report.save()
        _step(report, "report_returned", by=by, now=now, text=general)
        task_complete(activation, now=now, data={"decision": Decision.RETURN})
    return report


def report_reopen(
    *, report: DistrictReport, by: User, reason: str, now: datetime.datetime | None = None
) -> DistrictReport:
    """The centre sends a complete report back to its officer (the cycle must still be open). Two
    reopenings at once: the first wins, the second is told (TaskUnavailable)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ReportInvalid({"reason": _("Give the reason for reopening: the officer will read it.")})
    _check_open_cycle(report)
    task = open_task(report, "complete")
    if task is None:
        raise ReportError(_("Only a complete report can be reopened."))
    with _act(task, by=by, statuses=(STATUS.NEW,)) as (activation, locked):
        _check_open_cycle(locked)
        if not locked.complete:
            raise _gone()
        locked.status = ReportStatus.RETURNED
        locked.complete = False
        locked.review_comments = {"general": reason, "fields": {}}
        locked.revision += 1
        locked.save()
        _step(locked, "report_reopened", by=by, now=now, text=reason)
        task_complete(activation, now=now, data={"decision": Decision.REOPEN})
    locked.refresh_from_db()
    return locked


@transaction.atomic
def reports_extend(
    *,
    reports: QuerySet[DistrictReport],
    until: datetime.date,
    by: User,
    reason: str,
    now: datetime.datetime | None = None,
) -> int:
    """Extend the deadline of one district's or one province's reports that are not complete, to the end of
    office hours on `until`. A report first submitted by its extended deadline is not late; the figures
    count it as submitted within an extension (DistrictReport.record_first_submission)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ReportInvalid({"reason": _("Give the reason for the extension: it is written on each report.")})
    calendar = working_calendar()
    due_at = calendar.closing(until)
    if due_at <= now:
        raise ReportInvalid({"until": _("The new deadline must be in the future.")})
    targets = list(reports.select_for_update().filter(complete=False).select_related("cycle"))
    if any(r.cycle.is_closed for r in targets):
        raise ReportError(_("The cycle is closed: its reports can no longer be changed."))
    if not targets:
        raise ReportError(_("Every report here is already complete: there is nothing to extend."))
    ids = [r.pk for r in targets]
    DistrictReport.objects.filter(pk__in=ids).update(due_at=due_at, extension_reason=reason[:500])
    changes_record(
        instances=targets,
        changes={"due_at": (None, due_at), "extension_reason": (None, reason[:500])},
        by=by,
    )
    fill_tasks = Task.objects.filter(
        process__in=[r.process_id for r in targets if r.process_id], status__in=OPEN_TASK
    ).values_list("pk", flat=True)

    deadlines = list(
        Deadline.objects.filter(
            task_type=ContentType.objects.get_for_model(Task),
            task_id__in=list(fill_tasks),
            step=FILL_STEP,
            status=Deadline.Status.OPEN,
        )
    )
    deadlines_move(deadlines=deadlines, due_at=due_at, by=by, now=now, reason=reason)
    moved_cases = {d.case_id for d in deadlines}
    for report in targets:
        if report.pk not in moved_cases:  # e.g. a report whose deadline already closed: still recorded
            timeline_add(
                case=report,
                kind=TimelineEntry.Kind.DEADLINE_MOVED,
                at=now,
                actor=by,
                data={
                    "old_due_at": report.due_at.isoformat(),
                    "due_at": due_at.isoformat(),
                    "reason": reason,
                },
            )
    with action_by(by):
        notify_many(
            events=[
                Event(
                    [r.assignee],
                    Kind.DEADLINE_EXTENDED,
                    _context(r, due_at=due_at.isoformat(), reason=reason),
                )
                for r in targets
                if r.assignee
            ],
            now=now,
        )
    return len(ids)


def reports_close(*, cycle: ReportingCycle, now: datetime.datetime) -> None:
    """Part of closing a cycle (in its transaction, the cycle's row locked as closed): every report becomes
    read-only where it stands. Under each report's flow lock, only its tasks still open are cancelled with
    their deadlines and pending reminders and escalations, and its process ends; a submission that got the
    lock first is finished properly, and the review it opened is cancelled in turn."""
    tasks_cancel(
        process_ids=cycle.reports.exclude(process=None).values_list("process_id", flat=True), now=now
    )
    TimelineEntry.objects.bulk_create(
        timeline_entry(case=report, kind=TimelineEntry.Kind.STEP, at=now, data={"event": "report_closed"})
        for report in cycle.reports.only("pk")
    )
