"""Pages of officers, directors and the centre's cycle management (workflow 2, issue 5).

Every page looks its report or cycle up within the user's scope: the officer who holds a report (or was
responsible for it in that cycle), the group director, provincial head and SSO admin of its province, and
central staff. Anything outside answers 404. The writes are the services' (reporting/services); a
refused save keeps everything that was typed on the page, with the message next to its field."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from viewflow.workflow.models import Task

from deadlines.models import TimelineEntry
from deadlines.timeline_text import describe, step_detail
from flows.reporting import DistrictReportFlow
from flows.task_life import TaskUnavailable
from organisation.models import Province, Role
from organisation.models.people import person_name
from organisation.scope import scope_of
from organisation.selectors.roles import UserScope
from reporting.forms import CycleForm, ExtendForm, report_form, report_input
from reporting.models import (
    DistrictReport,
    Indicator,
    ReportingCycle,
    ReportStatus,
)
from reporting.selectors.progress import current_cycle, progress
from reporting.selectors.reports import (
    in_scope,
    my_reports_of,
    provinces_with,
    reports_shown,
    waiting_review,
)
from reporting.services import cycles as cycle_services
from reporting.services import reports as services
from reporting.services.reports import ReportConflict, ReportError, ReportInvalid
from workdays.calendar import working_calendar
from workdays.templatetags.thai_dates import thai_datetime
from workdays.thai import thai_order

POLL_SECONDS = 2


def _scope(request: HttpRequest) -> UserScope:
    scope: UserScope = scope_of(request)
    return scope


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _pk(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 10 else None


def _require_central(request: HttpRequest) -> None:
    if not _scope(request).is_central:
        raise Http404


# Lookups within scope


def _get_report(request: HttpRequest, pk: int) -> DistrictReport:
    report = reports_shown().filter(pk=pk).first()
    if report is None or not in_scope(_user(request), _scope(request), report):
        raise Http404
    return report


def _get_cycle(request: HttpRequest, cycle_pk: int) -> ReportingCycle:
    _require_central(request)
    cycle = ReportingCycle.objects.filter(pk=cycle_pk).first()
    if cycle is None:
        raise Http404
    return cycle


def _mark(rows: list[DistrictReport], now: datetime.datetime) -> list[DistrictReport]:
    for r in rows:
        r.overdue = r.is_overdue(now)  # type: ignore[attr-defined]
        r.extended = r.due_at != r.cycle.due_at  # type: ignore[attr-defined]
    return rows


# The officer's reporting status


@login_required
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    scope = _scope(request)
    now = timezone.now()
    rows = _mark(list(my_reports_of(user, scope)), now)
    for r in rows:
        r.editable = services.may_edit(user, r)  # type: ignore[attr-defined]
    open_rows = [r for r in rows if r.cycle.is_open]
    return render(
        request,
        "reporting/mine.html",
        {
            "rows": rows,
            "now": now,
            "open_count": len(open_rows),
            "complete_count": len([r for r in open_rows if r.complete]),
            "overdue_count": len([r for r in open_rows if getattr(r, "overdue", False)]),
        },
    )


# The report page


def _holder(report: DistrictReport) -> tuple[User | None, str]:
    """Who holds the report now and at which step (fill, review, or nobody: complete or closed)."""
    task = services.open_task(report)
    if task is None:
        return None, ""
    node = task.flow_task.name
    if node not in ("fill", "review"):  # the process finishing an approved report: nobody's step
        return None, ""
    owner = User.objects.filter(pk=task.owner_id).select_related("officer").first() if task.owner_id else None
    return owner, node


def _last_sendback(timeline: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The last time the report was sent back: the director's return or the centre's reopening."""
    for item in reversed(timeline):
        entry = item["entry"]
        event = entry.data.get("event") if entry.kind == TimelineEntry.Kind.STEP else None
        if event in ("report_returned", "report_reopened"):
            return {"reopened": event == "report_reopened", "entry": entry}
    return None


def _timeline(report: DistrictReport) -> list[dict[str, Any]]:
    from django.contrib.contenttypes.models import ContentType

    entries = TimelineEntry.objects.filter(
        case_type=ContentType.objects.get_for_model(DistrictReport), case_id=report.pk
    ).select_related("actor__officer", "on_behalf_of__officer")
    return [{"entry": e, "text": describe(e), "detail": step_detail(e)} for e in entries]


def _siblings(user: User, scope: UserScope, report: DistrictReport) -> dict[str, Any]:
    """The officer's other districts in the same cycle: previous, next, and all of them to switch to."""
    rows = list(
        my_reports_of(user, scope).filter(cycle=report.cycle).select_related(None).select_related("district")
    )
    ids = [r.pk for r in rows]
    if report.pk not in ids or len(rows) < 2:
        return {"siblings": []}
    at = ids.index(report.pk)
    return {
        "siblings": rows,
        "previous": rows[at - 1] if at > 0 else None,
        "next": rows[at + 1] if at + 1 < len(rows) else None,
    }


def _detail_context(request: HttpRequest, report: DistrictReport, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    scope = _scope(request)
    now = timezone.now()
    closed = report.cycle.is_closed
    holder, node = _holder(report)
    review_task = services.open_task(report, "review") if not closed else None
    may_review = bool(review_task is not None and review_task.owner_id == user.pk)
    may_edit = services.may_edit(user, report)
    timeline = _timeline(report)
    context: dict[str, Any] = {
        "report": report,
        "cycle": report.cycle,
        "now": now,
        "overdue": report.is_overdue(now),
        "extended": report.due_at != report.cycle.due_at,
        "holder": person_name(holder),
        "holder_node": node,
        "may_edit": may_edit,
        "may_review": may_review,
        "review_task": review_task,
        "review_elsewhere": (
            review_task is not None
            and not may_review
            and scope.has_role(Role.GROUP_DIRECTOR, report.province)
        ),
        "may_reopen": scope.is_central and report.complete and not closed,
        "may_extend": scope.is_central and not report.complete and not closed,
        "general_comment": (report.review_comments or {}).get("general", "")
        if report.status == ReportStatus.RETURNED
        else "",
        "timeline": timeline,
        "sendback": _last_sendback(timeline),
        "review_errors": {},
        "review_posted": {},
        "reopen_error": "",
        "is_officer_view": report.assignee_id == user.pk
        or (scope.officer is not None and report.officer_id == scope.officer.pk),
        **_siblings(user, scope, report),
    }
    if "form" not in extra:
        context["form"] = report_form(report)
    context.update(extra)
    return context


def _render_detail(
    request: HttpRequest, report: DistrictReport, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(request, "reporting/report.html", _detail_context(request, report, **extra), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    if request.method == "GET":
        return _render_detail(request, report)
    user = _user(request)
    submit = request.POST.get("action") == "submit"
    data = report_input(report, request.POST)
    if not services.may_edit(user, report) and data.revision == report.revision:
        messages.error(request, _not_editable(report, user))
        return redirect(report)
    try:
        if submit:
            done = services.report_submit(report=report, data=data, by=user)
            if done.complete:
                messages.success(request, _("Report submitted. It is complete: thank you."))
            else:
                messages.success(request, _("Report submitted to the group director for review."))
        else:
            services.report_save_draft(report=report, data=data, by=user)
            messages.success(request, _("Draft saved. Submit the report when every value is in."))
    except ReportConflict as error:
        # A page older than the report's last change (another tab, another person): 409, what happened,
        # and every value typed here, in the form when the report can still be edited, else beside it.
        fresh = reports_shown().get(pk=report.pk)
        if not services.may_edit(user, fresh) and _same_values(fresh, data):
            messages.info(request, _not_editable(fresh, user))  # a double click: nothing typed is lost
            return redirect(fresh)
        messages.error(request, str(error))
        form = report_form(fresh, data=data, revision=fresh.revision, saved=services.report_values(fresh))
        typed = [] if services.may_edit(user, fresh) else [row for row in form.rows if row.raw.strip()]
        return _render_detail(request, fresh, status=409, form=form, conflict=True, typed=typed)
    except TaskUnavailable as error:
        messages.error(request, str(error))
        return redirect(report)
    except ReportInvalid as error:
        fresh = reports_shown().get(pk=report.pk)
        saved = error.saved_revision
        revision = saved if saved is not None else data.revision
        if saved is not None:
            message = _("Your values are saved as a draft, but the report is not submitted yet: %(why)s") % {
                "why": str(error)
            }
        else:
            message = str(error) + " " + _("Nothing was saved.")
        messages.error(request, message)
        form = report_form(fresh, data=data, errors=error.errors, revision=revision)
        return _render_detail(request, fresh, status=400, form=form)
    except ReportError as error:
        fresh = reports_shown().get(pk=report.pk)
        messages.error(request, str(error))
        if not services.may_edit(user, fresh):
            return redirect(fresh)
        saved = error.saved_revision
        form = report_form(fresh, data=data, revision=saved if saved is not None else data.revision)
        return _render_detail(request, fresh, status=400, form=form)
    return redirect(report)


def _same_values(report: DistrictReport, data: services.ReportInput) -> bool:
    """What was typed is what the report holds (a second click on the same page)."""
    parsed = services.parse_input(report.cycle, data)
    typed = {name: value for name, value in parsed.values.items() if value is not None}
    saved = {name: value for name, value in services.report_values(report).items() if value is not None}
    return not parsed.errors and typed == saved


def _not_editable(report: DistrictReport, user: User) -> str:
    if report.cycle.is_closed:
        return _("The cycle is closed: its reports can no longer be changed.")
    if report.assignee_id != user.pk:
        return _("Only the officer responsible for this district can fill in its report.")
    if report.complete:
        return _(
            "This report is complete and can no longer be edited. The coordination centre can reopen it."
        )
    if report.status == ReportStatus.SUBMITTED:
        return _("This report was submitted and waits for the group director's review.")
    return _("This report cannot be changed now.")


@login_required
@require_POST
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The group director (or acting deputy) holding the review: approve, or return with comments."""
    report = _get_report(request, pk)
    user = _user(request)
    decision = request.POST.get("decision", "")
    task_id = _pk(request.POST.get("task"))
    try:
        if decision == "approve":
            services.report_approve(report=report, by=user, task_id=task_id)
            messages.success(request, _("Approved: the report is complete."))
        elif decision == "return":
            fields = [name for name, _i in services.report_fields(report.cycle)]
            comments = {name: str(request.POST.get(f"comment_{name}", ""))[:5000] for name in fields}
            services.report_return(
                report=report,
                by=user,
                task_id=task_id,
                general=str(request.POST.get("general", ""))[:5000],
                comments=comments,
            )
            messages.success(request, _("Returned to the officer with your comments."))
        else:
            messages.error(request, _("Choose to approve or to return the report."))
            return redirect(report)
    except ReportInvalid as error:
        messages.error(request, str(error))
        fresh = reports_shown().get(pk=report.pk)
        form = report_form(fresh)
        for row in form.rows:
            row.review_text = str(request.POST.get(f"comment_{row.name}", ""))[:5000]
        return _render_detail(
            request,
            fresh,
            status=400,
            form=form,
            review_errors=error.errors,
            review_posted={"general": str(request.POST.get("general", ""))[:5000]},
        )
    except (ReportError, TaskUnavailable) as error:
        messages.error(request, str(error))
    return redirect(report)


@login_required
@require_POST
def report_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Central staff send a complete report back to its officer, with the reason."""
    report = _get_report(request, pk)
    if not _scope(request).is_central:
        raise Http404
    try:
        services.report_reopen(
            report=report, by=_user(request), reason=str(request.POST.get("reason", ""))[:2000]
        )
        messages.success(request, _("Reopened: the report is back with its officer."))
    except ReportInvalid as error:
        messages.error(request, str(error))
        return _render_detail(
            request,
            reports_shown().get(pk=report.pk),
            status=400,
            reopen_error=error.errors.get("reason", str(error)),
        )
    except (ReportError, TaskUnavailable) as error:
        messages.error(request, str(error))
    return redirect(report)


# The group director's review queue


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:

    user = _user(request)
    scope = _scope(request)
    provinces = provinces_with(scope, Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD)
    rows = list(waiting_review(user, provinces))
    if not provinces and not rows:
        raise Http404
    mine = set(
        Task.objects.filter(
            flow_task=DistrictReportFlow.review, status__in=services.OPEN_TASK, owner=user
        ).values_list("process_id", flat=True)
    )
    for r in rows:
        r.yours = r.process_id in mine  # type: ignore[attr-defined]
    cycle = current_cycle()

    sections = []
    if cycle is not None:
        for province in Province.objects.filter(pk__in=provinces).order_by(thai_order("name_th")):
            sections.append({"province": province, "progress": progress(cycle, province=province)})
    return render(
        request,
        "reporting/queue.html",
        {
            "rows": rows,
            "yours_count": len([r for r in rows if getattr(r, "yours", False)]),
            "cycle": cycle,
            "sections": sections,
            "now": timezone.now(),
        },
    )


# Central staff: cycles


@login_required
@require_GET
def cycle_list(request: HttpRequest) -> HttpResponse:
    _require_central(request)
    cycles = list(ReportingCycle.objects.order_by("-fiscal_year", "-opens_on", "-pk"))
    for c in cycles:
        c.percent_spawned = _percent(c.districts_spawned, c.districts_total)  # type: ignore[attr-defined]
    return render(request, "reporting/cycles.html", {"cycles": cycles})


def _percent(part: int, whole: int) -> int:
    return int(100 * part / whole) if whole else 0


def _indicators_to_freeze() -> list[Indicator]:
    return list(
        Indicator.objects.filter(is_active=True, area__is_active=True)
        .select_related("area")
        .order_by("area__order", "area__code", "order", "code")
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_new(request: HttpRequest) -> HttpResponse:
    _require_central(request)
    form = CycleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                cycle = cycle_services.cycle_create(data=form.to_input(), by=_user(request))
                messages.success(
                    request,
                    _(
                        "Cycle %(label)s created. It opens on its opening date, or now if you press “Open now”."
                    )
                    % {"label": cycle.label},
                )
                return redirect("reporting:cycle_progress", cycle_pk=cycle.pk)
            except ReportInvalid as error:
                for name, message in error.errors.items():
                    form.add_error(name if name in form.fields else None, message)
            except ReportError as error:
                form.add_error(None, str(error))
    return render(
        request,
        "reporting/cycle_form.html",
        {"form": form, "indicators": _indicators_to_freeze()},
        status=status,
    )


@login_required
@require_POST
def cycle_open(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = _get_cycle(request, cycle_pk)
    try:
        cycle = cycle_services.cycle_open_now(cycle=cycle, by=_user(request))
        if cycle.status != ReportingCycle.Status.OPEN:
            messages.success(
                request, _("Opening: every district receives its report. This page follows the progress.")
            )
    except ReportError as error:
        messages.error(request, str(error))
    return redirect("reporting:cycle_progress", cycle_pk=cycle.pk)


def _progress_data(cycle: ReportingCycle) -> dict[str, Any]:
    return {
        "status": cycle.status,
        "status_label": cycle.get_status_display(),
        "spawned": cycle.districts_spawned,
        "total": cycle.districts_total,
        "percent": _percent(cycle.districts_spawned, cycle.districts_total),
        "done": cycle.status in (ReportingCycle.Status.OPEN, ReportingCycle.Status.CLOSED),
        "national_url": reverse("reporting:national", kwargs={"cycle_pk": cycle.pk}),
    }


@login_required
@require_GET
def cycle_progress(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """The cycle's page for central staff: its dates, the frozen indicators, "open now" and the opening's
    progress (the page polls `?format=json`; without JavaScript it refreshes itself)."""
    cycle = _get_cycle(request, cycle_pk)
    data = _progress_data(cycle)
    if request.GET.get("format") == "json":
        return JsonResponse(data)
    indicators = list(cycle.indicators.all())
    return render(
        request,
        "reporting/cycle_progress.html",
        {
            "cycle": cycle,
            "data": data,
            "indicators": indicators,
            "poll_seconds": POLL_SECONDS,
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_close(request: HttpRequest, cycle_pk: int) -> HttpResponse:

    cycle = _get_cycle(request, cycle_pk)
    if request.method == "POST":
        try:
            cycle_services.cycle_close(cycle=cycle, by=_user(request))
            messages.success(request, _("The cycle is closed. Its reports are read-only from now on."))
            return redirect("reporting:cycles")
        except ReportError as error:
            messages.error(request, str(error))
            return redirect("reporting:cycle_progress", cycle_pk=cycle.pk)
    figures = progress(cycle) if cycle.status != ReportingCycle.Status.SCHEDULED else None
    return render(request, "reporting/cycle_close.html", {"cycle": cycle, "progress": figures})


@login_required
@require_http_methods(["GET", "POST"])
def cycle_extend(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """Extend the deadline of one district or of a whole province, with a reason."""
    cycle = _get_cycle(request, cycle_pk)
    initial: dict[str, Any] = {}
    district_pk = _pk(request.GET.get("district"))
    if district_pk:
        initial = {"target": ExtendForm.DISTRICT, "district": district_pk}
    province_pk = _pk(request.GET.get("province"))
    if province_pk:
        initial = {"target": ExtendForm.PROVINCE, "province": province_pk}
    form = ExtendForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            if data["target"] == ExtendForm.PROVINCE:
                reports = cycle.reports.filter(province=data["province"])
                where = data["province"].name
            else:
                reports = cycle.reports.filter(district=data["district"])
                where = data["district"].display_name
            try:
                if not reports.exists():
                    raise ReportError(_("This cycle has no report there (yet)."))
                count = services.reports_extend(
                    reports=reports, until=data["until"], by=_user(request), reason=data["reason"]
                )
                messages.success(
                    request,
                    _("Deadline of %(where)s extended to %(due)s (%(count)s reports).")
                    % {
                        "where": where,
                        "due": thai_datetime(working_calendar().closing(data["until"])),
                        "count": count,
                    },
                )
                report = reports.first() if data["target"] == ExtendForm.DISTRICT else None
                if report is not None:
                    return redirect(report)
                return redirect("reporting:cycle_progress", cycle_pk=cycle.pk)
            except ReportInvalid as error:
                for name, message in error.errors.items():
                    form.add_error(name if name in form.fields else None, message)
            except ReportError as error:
                form.add_error(None, str(error))
    return render(request, "reporting/extend.html", {"cycle": cycle, "form": form}, status=status)
