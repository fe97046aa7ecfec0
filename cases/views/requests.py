"""The coordination request pages: our own templates, Thai first, calling the services (which drive the
viewflow activations). Every page, action, download and export looks the request up within the user's
scope: anything outside it answers 404."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.forms import FilterForm, RequestForm, initial_from, parse_target, target_choices
from cases.models import CoordinationRequest, RequestStatus
from cases.selectors import requests as selectors
from cases.selectors.held import held, held_minutes
from cases.selectors.monitoring import age_labels, age_sent_range, event_labels, step_labels
from cases.services import requests as services
from deadlines.timeline_text import describe, step_detail
from flows.task_life import TaskUnavailable
from organisation.cached import PERSON_HELD_SECONDS, REQUESTS, VERSION_KEY, person_held_key, stamp
from organisation.models import Officer, Province, Role, Unit
from organisation.scope import scope_of
from organisation.selectors.roles import UserScope
from workdays.calendar import working_calendar
from workdays.exports import FORMATS, Table, Value, export_response
from workdays.templatetags.thai_dates import thai_date, thai_datetime

PAGE_SIZE = 25  # rows a page: what one reads through (viewflow's inbox shows as many)
QUEUE_PAGE_SIZE = PAGE_SIZE


def _scope(request: HttpRequest) -> UserScope:
    scope: UserScope = scope_of(request)
    return scope


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _get(request: HttpRequest, pk: int) -> CoordinationRequest:
    found = selectors.request_for(request.user, _scope(request), pk)
    if found is None:
        raise Http404
    return found


def _managed_provinces(scope: UserScope) -> set[int]:
    ids: set[int] = set()
    for role in (Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD):
        ids |= scope.provinces_by_role.get(role, frozenset())
    return ids


def _error_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


# Lists


def _page(request: HttpRequest, qs: QuerySet[CoordinationRequest], per_page: int = PAGE_SIZE) -> Any:
    """The page asked for, its rows read in one query: what they name of the reference tables comes from the
    copies held in the process (selectors.with_references), not from with_list_data's prefetches. Read only when
    the list is rendered: a list held rendered for the person (`held_key`, list.html) is not counted again."""

    def read() -> Any:
        page = Paginator(qs.prefetch_related(None), per_page).get_page(request.GET.get("page"))
        page.object_list = selectors.with_references(page.object_list)
        return page

    return SimpleLazyObject(read)


def _filtered(
    request: HttpRequest, qs: QuerySet[CoordinationRequest], province_ids: set[int] | None
) -> tuple[QuerySet[CoordinationRequest], FilterForm]:
    form = FilterForm(request.GET or None, province_ids=province_ids)
    flt = selectors.RequestFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        flt = selectors.RequestFilter(
            q=data["q"].strip(),
            status=data["status"],
            urgency=data["urgency"],
            category=data["category"].pk if data["category"] else None,
            province=data["province"].pk if data.get("province") else None,
            district=data["district"].pk if data.get("district") else None,
            overdue=data["overdue"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            event=data["event"],
            target_unit=data["target_unit"],
            target_province=data["target_province"],
            involving=data["involving"],
            held_in=data["held_in"],
            sent_range=age_sent_range(data["age"], timezone.localdate(), working_calendar())
            if data["age"]
            else None,
            step=data["step"],
            deadline=data["deadline"],
            escalation=data["escalation"],
            unclaimed=data["unclaimed"],
        )
    return flt.apply(qs, timezone.now()), form


def _monitor_note(form: FilterForm) -> str:
    """What a monitoring link's hidden filters show, in words."""
    if not (form.is_bound and form.is_valid()):
        return ""
    data = form.cleaned_data
    parts = []
    if data["event"] == "open":
        parts.append(_("open now"))
    elif data["event"]:
        parts.append(str(event_labels()[data["event"]]))
    if data["age"]:
        parts.append(str(age_labels()[data["age"]]))
    if data["step"]:
        words = {"met": _("within its deadline"), "missed": _("after its deadline")}
        parts.append(f"{step_labels()[data['step']]} {words.get(data['deadline'], '')}".strip())
    if data["held_in"]:
        province = Province.objects.filter(pk=data["held_in"]).first()
        parts.append(_("waiting in %(province)s") % {"province": province.name if province else "-"})
    if data["unclaimed"]:
        parts.append(_("waiting unclaimed in the pool"))
    if data["escalation"]:
        parts.append(_("escalation level %(level)s") % {"level": data["escalation"]})
    if data["target_unit"]:
        unit = Unit.objects.filter(pk=data["target_unit"]).first()
        parts.append(_("to %(target)s") % {"target": unit.name if unit else "-"})
    if data["target_province"]:
        province = Province.objects.filter(pk=data["target_province"]).first()
        parts.append(_("to %(target)s") % {"target": province.name if province else "-"})
    if data["involving"]:
        province = Province.objects.filter(pk=data["involving"]).first()
        parts.append(
            _("of %(province)s, as requester or target") % {"province": province.name if province else "-"}
        )
    if parts and (data["date_from"] or data["date_to"]) and data["event"] != "open":
        parts.append(f"{thai_date(data['date_from'])} - {thai_date(data['date_to'])}")
    return ", ".join(parts)


# An unbound filter form (most looks at a list) renders the same fields for everyone with the same choices: held
# rendered this long at most, under the reference data's version stamp (categories, provinces, districts).
FILTER_RENDERED_SECONDS = 600


def _list_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    form = extra.get("form")
    note = _monitor_note(form) if isinstance(form, FilterForm) else ""
    filter_key = (
        f"{form.choices_key}:{stamp(VERSION_KEY)}:{get_language()}"
        if isinstance(form, FilterForm) and not form.is_bound
        else ""
    )
    querystring = request.GET.urlencode()
    return {
        "now": timezone.now(),
        "querystring": querystring,
        # The list as rendered for this person and these filters and page, held until their work changes.
        "held_key": person_held_key(
            request.user,
            extra.get("list_name", ""),
            hashlib.sha256(querystring.encode()).hexdigest()[:32],
            covers=REQUESTS,
        ),
        "held_seconds": PERSON_HELD_SECONDS,
        "monitor_note": note,
        "filter_key": filter_key,
        "filter_seconds": FILTER_RENDERED_SECONDS,
        **extra,
    }


@login_required
@require_GET
def my_requests(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    qs, form = _filtered(request, selectors.my_requests(user), province_ids=set())
    return render(
        request,
        "requests/list.html",
        _list_context(
            request,
            title=_("My requests"),
            list_name="mine",
            page=_page(request, qs),
            form=form,
        ),
    )


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Waiting for me: overdue first (the earliest deadline first)."""
    scope = _scope(request)
    units = selectors.pool_units(scope)
    return render(
        request,
        "requests/queue.html",
        _list_context(
            request,
            title=_("Waiting for me"),
            list_name="queue",
            page=_page(request, selectors.waiting_for(_user(request)), per_page=QUEUE_PAGE_SIZE),
            pool_count=SimpleLazyObject(lambda: selectors.pool(units).count()) if units else None,
        ),
    )


@login_required
@require_GET
def pool_list(request: HttpRequest) -> HttpResponse:
    units = selectors.pool_units(_scope(request))
    if not units:
        raise Http404
    return render(
        request,
        "requests/pool.html",
        _list_context(
            request,
            title=_("Pool of my unit"),
            list_name="pool",
            page=_page(request, selectors.pool(units)),
            units=Unit.objects.filter(pk__in=units),
        ),
    )


@login_required
@require_GET
def province_list(request: HttpRequest) -> HttpResponse:
    provinces = _managed_provinces(_scope(request))
    if not provinces:
        raise Http404
    qs, form = _filtered(request, selectors.province_requests(provinces), province_ids=provinces)
    return render(
        request,
        "requests/list.html",
        _list_context(
            request,
            title=_("Requests of my province"),
            list_name="province",
            page=_page(request, qs.order_by("-sent_at", "-pk")),
            form=form,
            show_province=len(provinces) > 1,
        ),
    )


@login_required
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    units = selectors.pool_units(_scope(request))
    if not units:
        raise Http404
    qs, form = _filtered(request, selectors.unit_requests(units), province_ids=None)
    return render(
        request,
        "requests/list.html",
        _list_context(
            request,
            title=_("Requests to my unit"),
            list_name="unit",
            page=_page(request, qs.order_by("-sent_at", "-pk")),
            form=form,
            show_province=True,
        ),
    )


@login_required
@require_GET
def all_list(request: HttpRequest) -> HttpResponse:
    if not _scope(request).is_central:
        raise Http404
    now = timezone.now()
    qs, form = _filtered(request, selectors.all_requests(), province_ids=None)
    # The figures by province and by target read every request the filters leave (the whole country's, at
    # first): counted once for all central staff who ask for the same filters, and held as the monitoring
    # pages' figures are (MONITORING_FIGURES_SECONDS), so the page's time does not grow with the rows.
    filters = urlencode(sorted((k, v) for k, v in request.GET.items() if k != "page"))
    figures, counted_at = held(
        f"all-requests:{hashlib.sha256(filters.encode()).hexdigest()[:32]}",
        lambda counted: selectors.figures(qs, counted),
    )
    return render(
        request,
        "requests/list.html",
        _list_context(
            request,
            title=_("All requests in the country"),
            list_name="all",
            page=_page(request, qs.order_by("-sent_at", "-pk")),
            form=form,
            show_province=True,
            totals=selectors.totals(qs, now),
            figures=figures,
            counted_at=counted_at,
            counted_every=held_minutes(),
        ),
    )


def _export_table(qs: QuerySet[CoordinationRequest]) -> Table:
    now = timezone.now()
    header = [
        _("Number"),
        _("Subject"),
        _("Status"),
        _("Urgency"),
        _("Category"),
        _("Province"),
        _("District"),
        _("Requester"),
        _("Target"),
        _("Held by"),
        _("Sent"),
        _("Due"),
        _("Overdue"),
        _("Answered"),
    ]

    def rows() -> Iterator[list[Value]]:
        for r in qs.iterator(chunk_size=2000):
            overdue = bool(r.is_open and r.due_at and r.due_at < now)
            holder = r.holder.officer if r.holder and hasattr(r.holder, "officer") else (r.holder_unit or "")
            yield [
                r.number,
                r.subject,
                r.get_status_display(),
                r.get_urgency_display(),
                r.category.name,
                r.district.province.name,
                r.district.display_name,
                str(getattr(r.requester, "officer", "") or r.requester.get_username()),
                str(r.target or ""),
                str(holder),
                r.sent_at,
                r.due_at,
                _("Yes") if overdue else "",
                r.answered_at,
            ]

    return Table(_("Requests"), header, rows())


@login_required
@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """CSV or XLSX of any list the user can see, with its filters (?list=mine|queue|pool|province|all)."""
    if fmt not in FORMATS:
        raise Http404
    scope = _scope(request)
    user = _user(request)
    name = request.GET.get("list", "mine")
    provinces: set[int] | None = set()
    if name == "mine":
        base = selectors.my_requests(user)
    elif name == "queue":
        base = selectors.waiting_for(user).select_related("holder__officer", "holder_unit")
    elif name == "pool" and selectors.pool_units(scope):
        base = selectors.pool(selectors.pool_units(scope))
    elif name == "province" and _managed_provinces(scope):
        provinces = _managed_provinces(scope)
        base = selectors.province_requests(provinces)
    elif name == "unit" and selectors.pool_units(scope):
        provinces = None
        base = selectors.unit_requests(selectors.pool_units(scope))
    elif name == "all" and scope.is_central:
        provinces = None
        base = selectors.all_requests()
    else:
        raise Http404
    qs, _form = _filtered(request, base, province_ids=provinces)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return export_response(
        _export_table(qs), fmt=fmt, filename=f"requests-{name}-{stamp}", date_text=thai_datetime
    )


# Opening a request


def _attach_all(req: CoordinationRequest, user: User, files: list[Any]) -> None:
    for upload in files:
        services.attachment_add(request=req, by=user, upload=upload)


def _bad_files(form: RequestForm) -> bool:
    """Check every chosen file by content before anything is saved: a bad one keeps the form as typed."""
    ok = True
    for upload in form.cleaned_data.get("attachments") or []:
        try:
            services.attachment_check(upload)
        except ValidationError as error:
            form.add_error("attachments", error)
            ok = False
    return not ok


def _service_errors(form: RequestForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    user = _user(request)
    districts = services.requester_districts(scope)
    if not districts:
        raise Http404
    province_id = districts[0].province_id
    form = RequestForm(
        request.POST or None, request.FILES or None, districts=districts, province_id=province_id
    )
    if request.method == "POST" and form.is_valid() and not _bad_files(form):
        try:
            draft = services.request_save_draft(
                by=user, data=form.to_input(), key=form.cleaned_data.get("token") or uuid.uuid4()
            )
            if not draft.attachments.exists():
                _attach_all(draft, user, form.cleaned_data["attachments"])
            if request.POST.get("send"):
                sent = services.request_send(request=draft, by=user)
                messages.success(
                    request, _("Request %(number)s sent to the group director.") % {"number": sent.number}
                )
            else:
                messages.success(request, _("Draft saved. It is not sent yet."))
            return redirect("requests:detail", pk=draft.pk)
        except ValidationError as error:
            _service_errors(form, error)
        except (services.RequestError, TaskUnavailable) as error:
            form.add_error(None, str(error))
    return render(request, "requests/form.html", {"form": form, "title": _("Open a coordination request")})


def _version(post: Any) -> int | None:
    """The request's version the posted page showed; None when the form carried none."""
    value = str(post.get("version", "")).strip()
    if not value:
        return None
    return int(value) if value.isdigit() and len(value) < 10 else 0  # 0: never a version (a stale page)


def _edit_form(request: HttpRequest, req: CoordinationRequest, data: Any = None) -> RequestForm:
    return RequestForm(
        data,
        (request.FILES or None) if data is not None else None,
        initial=initial_from(req),
        districts=services.requester_districts(_scope(request)) or [req.district],
        province_id=req.province_id,
    )


@login_required
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft, or a request the director returned (then send it again). A form from a page older than
    the request's last change answers 409 with what happened and everything typed, as typed."""
    req = _get(request, pk)
    user = _user(request)
    editable = req.status in (RequestStatus.DRAFT, RequestStatus.RETURNED)
    if req.requester_id != user.pk or (request.method != "POST" and not editable):
        raise Http404
    form = _edit_form(request, req, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid() and not _bad_files(form):
        version = form.cleaned_data.get("version")
        try:
            if req.status == RequestStatus.RETURNED:
                services.request_resend(
                    request=req,
                    task_id=req.current_task_id,
                    by=user,
                    data=form.to_input(),
                    comment=request.POST.get("comment", ""),
                    version=version,
                )
                _attach_all(req, user, form.cleaned_data["attachments"])
                messages.success(request, _("Sent to the group director again."))
            else:
                saved = services.request_save_draft(
                    by=user, data=form.to_input(), request=req, version=version
                )
                _attach_all(req, user, form.cleaned_data["attachments"])
                if request.POST.get("send"):
                    sent = services.request_send(request=saved, by=user, version=saved.version)
                    messages.success(
                        request, _("Request %(number)s sent to the group director.") % {"number": sent.number}
                    )
                else:
                    messages.success(request, _("Draft saved. It is not sent yet."))
            return redirect("requests:detail", pk=req.pk)
        except services.RequestConflict as error:
            if error.repeated:  # a second click of the same form: done once
                messages.info(request, str(error))
                return redirect("requests:detail", pk=req.pk)
            # The page again as typed, at the request's version now: saving it again is a decision made
            # knowing what happened.
            req = _get(request, pk)
            editable = req.status in (RequestStatus.DRAFT, RequestStatus.RETURNED)
            data = request.POST.copy()
            data["version"] = str(req.version)
            form = _edit_form(request, req, data)
            form.is_valid()
            form.add_error(None, str(error))
            status = 409
        except ValidationError as error:
            _service_errors(form, error)
        except (services.RequestError, TaskUnavailable) as error:
            form.add_error(None, str(error))
    returned = req.status == RequestStatus.RETURNED or "comment" in request.POST
    title = _("Edit and send again") if returned else _("Edit the draft")
    context = {
        "form": form,
        "title": title,
        "req": req,
        "editable": editable,
        "returned": returned,
        "comment": request.POST.get("comment", ""),
    }
    return render(request, "requests/form.html", context, status=status)


@login_required
@require_POST
def request_send(request: HttpRequest, pk: int) -> HttpResponse:
    req = _get(request, pk)
    try:
        sent = services.request_send(request=req, by=_user(request), version=_version(request.POST))
        messages.success(
            request, _("Request %(number)s sent to the group director.") % {"number": sent.number}
        )
    except services.RequestConflict as error:  # the draft changed in another tab: shown as it is now
        messages.error(request, str(error))
        return render(
            request, "requests/detail.html", _detail_context(request, _get(request, pk)), status=409
        )
    except (services.RequestError, TaskUnavailable) as error:
        messages.error(request, str(error))
    return redirect("requests:detail", pk=req.pk)


# The request page and its actions


def available_actions(user: User, scope: UserScope, req: CoordinationRequest) -> set[str]:
    actions: set[str] = set()
    node = req.current_task.flow_task.name if req.current_task_id and req.current_task else None
    mine = req.holder_id == user.pk and req.holder_id is not None
    if node == "review" and mine:
        actions |= {"route", "return", "reject", "answer"}
    elif node == "handle" and mine:
        actions |= {"answer", "ask"}
        if req.target_province_id:
            actions.add("hand_on")
        if req.target_unit_id and req.holder_province_id is None:
            actions.add("release")
    elif node == "handle" and req.holder_id is None and services.may_draw_from(scope, req.holder_unit):
        actions.add("claim")
    elif node == "district_answer" and mine:
        actions.add("answer")
    elif node == "clarify" and mine:
        actions.add("clarify")
    elif node == "revise" and mine:
        actions.add("resend")
    elif node == "acceptance" and mine:
        actions.add("accept")
        if not req.reopened:
            actions.add("reopen")
    if (
        req.requester_id == user.pk
        and req.status in RequestStatus.withdrawable()
        and req.status != RequestStatus.DRAFT
    ):
        actions.add("withdraw")
    if req.status == RequestStatus.DRAFT and req.requester_id == user.pk:
        actions |= {"edit", "send"}
    if services.may_reassign(scope, req) and node is not None and req.holder_id != user.pk:
        actions.add("reassign")
    return actions


def _detail_context(request: HttpRequest, req: CoordinationRequest, **extra: Any) -> dict[str, Any]:
    scope = _scope(request)
    user = _user(request)
    actions = available_actions(user, scope, req)
    entries = [{"entry": e, "text": describe(e), "detail": step_detail(e)} for e in selectors.timeline(req)]
    context: dict[str, Any] = {
        "req": req,
        "actions": actions,
        "timeline": entries,
        "attachments": list(req.attachments.select_related("uploaded_by__officer")),
        "may_attach": services.may_attach(user, req),
        "now": timezone.now(),
        "overdue": bool(req.is_open and req.due_at and req.due_at < timezone.now()),
        "posted": {},
        "errors": {},
    }
    if "route" in actions:
        context["targets"] = target_choices(req.province_id)[1:]  # the groups, without "Choose…"
        context["current_target"] = (
            f"unit:{req.target_unit_id}" if req.target_unit_id else f"province:{req.target_province_id}"
        )
        if extra.get("failed_action") == "route" and extra["posted"].get("target"):
            context["current_target"] = extra["posted"]["target"]
    if "hand_on" in actions and req.target_province is not None:
        context["district_officers"] = selectors.district_officers_of(req.target_province)
    if "reassign" in actions:
        context["candidates"] = [o for o in selectors.reassign_candidates(req) if o.user_id != req.holder_id]
    context.update(extra)
    return context


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _get(request, pk)
    return render(request, "requests/detail.html", _detail_context(request, req))


def _officer_user(pk: str) -> User | None:
    officer = Officer.objects.filter(pk=pk if pk.isdigit() else 0).select_related("user").first()
    return officer.user if officer else None


# What each action's form asks for: its fields and their labels (a refused form's values are shown again).
TYPED: dict[str, list[tuple[str, str | Promise]]] = {
    "route": [("target", gettext_lazy("Send to")), ("comment", gettext_lazy("Note (optional)"))],
    "return": [("reason", gettext_lazy("What the requester must add"))],
    "reject": [("reason", gettext_lazy("Reason"))],
    "answer": [("answer", gettext_lazy("Answer"))],
    "ask": [("question", gettext_lazy("Question"))],
    "clarify": [("reply", gettext_lazy("Your reply"))],
    "hand_on": [("officer", gettext_lazy("District officer")), ("note", gettext_lazy("Note (optional)"))],
    "reopen": [("reason", gettext_lazy("What is still missing"))],
    "withdraw": [("reason", gettext_lazy("Reason"))],
    "reassign": [("officer", gettext_lazy("Give it to")), ("reason", gettext_lazy("Reason (optional)"))],
}
ACTIONS = {*TYPED, "accept", "claim", "release"}


def _typed(action: str, post: Any) -> list[tuple[str, str]]:
    """What was typed or chosen in a refused form, in words, for a page where that form is gone."""
    typed = []
    for name, label in TYPED.get(action, []):
        value = str(post.get(name, "")).strip()
        if value and name == "target":
            value = str(next((t for t in parse_target(value) if t is not None), ""))
        elif value and name == "officer":
            officer = Officer.objects.filter(pk=value if value.isdigit() else 0).first()
            value = officer.full_name if officer else ""
        if value:
            typed.append((str(label), value))
    return typed


def _conflict(request: HttpRequest, pk: int, action: str, error: services.RequestConflict) -> HttpResponse:
    """409: what the other tab or person did, and the page as it is now with everything this form had: in
    the form when it is still there (at the new version), else listed above the actions."""
    post = request.POST
    fresh = _get_or_none(request, pk)
    if error.repeated:  # a second click of the same form: done once
        messages.info(request, str(error))
        return redirect("requests:detail", pk=pk) if fresh is not None else redirect("requests:queue")
    messages.error(request, str(error))
    if fresh is None:  # it has moved out of this person's sight
        return redirect("requests:queue")
    context = _detail_context(request, fresh, posted=post, failed_action=action)
    if action not in context["actions"]:
        context["typed"] = _typed(action, post)
    return render(request, "requests/detail.html", context, status=409)


def perform_action(
    *, req: CoordinationRequest, user: User, action: str, post: Any, version: int | None
) -> str:
    """Carry out one action of the request page through its service (the pages and the API alike); returns
    what was done, in words. Raises what the services raise, and Http404 for an unknown action."""
    task_id = int(post["task"]) if str(post.get("task", "")).isdigit() else None
    common: dict[str, Any] = {"request": req, "task_id": task_id, "by": user, "version": version}
    done = ""
    if action == "route":
        unit, province = parse_target(post.get("target", ""))
        services.request_route(
            **common, comment=post.get("comment", ""), target_unit=unit, target_province=province
        )
        done = _("Approved and routed to %(to)s.") % {"to": unit or province or req.target}
    elif action == "return":
        services.request_return(**common, reason=post.get("reason", ""))
        done = _("Returned to the requester.")
    elif action == "reject":
        services.request_reject(**common, reason=post.get("reason", ""))
        done = _("Rejected. The requester has been told.")
    elif action == "answer":
        services.request_answer(**common, answer=post.get("answer", ""))
        done = _("Answer sent to the requester.")
    elif action == "ask":
        services.request_ask_clarification(**common, question=post.get("question", ""))
        done = _("Question sent to the requester.")
    elif action == "clarify":
        services.request_clarify(**common, reply=post.get("reply", ""))
        done = _("Reply sent.")
    elif action == "hand_on":
        officer = Officer.objects.filter(pk=post.get("officer") or 0).select_related("user").first()
        if officer is None:
            raise ValidationError({"officer": _("Choose a district officer.")})
        services.request_hand_on(**common, officer=officer, note=post.get("note", ""))
        done = _("Handed on to %(name)s.") % {"name": officer}
    elif action == "accept":
        services.request_accept(**common)
        done = _("Thank you. The request is closed.")
    elif action == "reopen":
        services.request_reopen(**common, reason=post.get("reason", ""))
        done = _("Reopened: it goes back to whoever answered.")
    elif action == "claim":
        services.request_claim(**common)
        done = _("You hold this request now.")
    elif action == "release":
        services.request_release(**common)
        done = _("Released back to the pool.")
    elif action == "withdraw":
        services.request_withdraw(request=req, by=user, reason=post.get("reason", ""), version=version)
        done = _("Request withdrawn.")
    elif action == "reassign":
        to = _officer_user(post.get("officer", ""))
        if to is None:
            raise ValidationError({"officer": _("Choose who takes it over.")})
        services.request_reassign(**common, to=to, reason=post.get("reason", ""))
        done = _("Reassigned.")
    else:
        raise Http404
    return done


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    req = _get(request, pk)
    user = _user(request)
    scope = _scope(request)
    if action not in ACTIONS:
        raise Http404
    version = _version(request.POST)
    # An action no longer offered: a page from before the request's last change goes to the service, which
    # says what happened (409); otherwise the action was never this user's.
    stale = version is not None and version != req.version
    if action not in available_actions(user, scope, req) and action not in ("claim", "release") and not stale:
        # Not (or no longer) for this user: say so rather than fail.
        messages.error(
            request,
            _(
                "Someone else has just acted on this request, or it has moved on. The page shows where it is now."
            ),
        )
        return redirect("requests:detail", pk=req.pk)
    post = request.POST
    try:
        done = perform_action(req=req, user=user, action=action, post=post, version=version)
    except services.RequestConflict as error:
        return _conflict(request, pk, action, error)
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        messages.error(request, _error_text(error))
        context = _detail_context(
            request, _get(request, pk), posted=post, errors=errors, failed_action=action
        )
        return render(request, "requests/detail.html", context, status=400)
    except (services.RequestError, TaskUnavailable) as error:
        messages.error(request, str(error))
        return redirect("requests:detail", pk=req.pk)
    messages.success(request, done)
    if action in ("claim",) or (_get_or_none(request, pk) is not None):
        return redirect("requests:detail", pk=req.pk)
    return redirect("requests:queue")


def _get_or_none(request: HttpRequest, pk: int) -> CoordinationRequest | None:
    return selectors.request_for(request.user, _scope(request), pk)


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    req = _get(request, pk)
    try:
        services.request_comment(request=req, by=_user(request), text=request.POST.get("text", ""))
        messages.success(request, _("Comment added."))
    except ValidationError as error:
        messages.error(request, _error_text(error))
        context = _detail_context(request, req, posted=request.POST, errors={"text": error.messages})
        return render(request, "requests/detail.html", context, status=400)
    return redirect(reverse("requests:detail", args=[req.pk]) + "#timeline")


@login_required
@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    req = _get(request, pk)
    uploads = request.FILES.getlist("file")
    if not uploads:
        messages.error(request, _("Choose a file."))
    for upload in uploads:
        try:
            services.attachment_add(request=req, by=_user(request), upload=upload)
            messages.success(request, _("%(name)s attached.") % {"name": upload.name})
        except ValidationError as error:
            messages.error(request, _error_text(error))
        except (services.RequestError, TaskUnavailable) as error:
            messages.error(request, str(error))
    return redirect("requests:detail", pk=req.pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    req = _get(request, pk)
    attachment = req.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
