"""The API's endpoints. Each reads through the pages' selectors and writes through their services, with the
caller's scope (api/scope.py): what a page answers 404, the API answers 404 too."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.errors import Conflict, Unprocessable, from_validation
from api.pagination import ByCode, Cursor
from api.scope import api_scope
from cases.forms import FilterForm, RequestForm
from cases.models import CoordinationRequest
from cases.selectors import requests as request_selectors
from cases.services import requests as request_services
from cases.views.requests import ACTIONS, available_actions, perform_action
from deadlines.timeline_text import describe, step_detail
from flows.task_life import TaskUnavailable
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from notifications import texts
from organisation.models import District, Province, Role
from organisation.selectors import directory
from reporting.models import DistrictReport, ReportingCycle
from reporting.selectors.monitoring import (
    cycles_for_switcher,
    district_rows,
    may_monitor_province,
    monitored_provinces,
)
from reporting.selectors.progress import province_progress
from reporting.selectors.reports import in_scope, my_reports_of, reports_shown
from reporting.services import reports as report_services

ERRORS = {400: s.Error, 401: s.Error, 403: s.Error, 404: s.Error, 429: s.Error}
PAGING = [
    OpenApiParameter("cursor", str, description="The `next` or `previous` link's cursor"),
    OpenApiParameter("page_size", int, description="Rows a page, 1 to 100"),
]


@csrf_exempt  # it changes nothing: the same 404 for every method
def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"code": "not_found", "message": _("Not found, or not yours to see.")}, status=404)


def _user(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


def _paginate(
    view: APIView, request: Request, rows: Any, serializer: Any, paginator: Any = Cursor
) -> Response:
    pages = paginator()
    page = pages.paginate_queryset(rows, request, view=view)
    return pages.get_paginated_response(serializer(page, many=True).data)


def _int(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 10 else None


# --- the directory (any signed-in caller, as the directory pages) ---------------------------------------


class ProvinceList(APIView):
    @extend_schema(
        operation_id="provinces_list", responses={200: s.PagedProvince, **ERRORS}, parameters=PAGING
    )
    def get(self, request: Request) -> Response:
        return _paginate(self, request, Province.objects.all(), s.ProvinceRow, ByCode)


class ProvinceDetail(APIView):
    @extend_schema(operation_id="province_directory", responses={200: s.ProvinceDirectory, **ERRORS})
    def get(self, request: Request, code: str) -> Response:
        province = get_object_or_404(Province, code=code)
        found = directory.province_directory(province=province)
        data = {
            "province": province,
            "group_director": found.group_director.officer if found.group_director else None,
            "acting_deputies": found.acting_deputies,
            "provincial_head": found.provincial_head.officer if found.provincial_head else None,
            "sso_admins": [r.officer for r in found.sso_admins],
            "districts": [{"district": row.district, "officer": row.officer} for row in found.districts],
        }
        return Response(s.ProvinceDirectory(data).data)


class DistrictList(APIView):
    @extend_schema(
        operation_id="districts_list",
        parameters=[*PAGING, OpenApiParameter("province", str, description="A province's DOPA code")],
        responses={200: s.PagedDistrict, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        rows = District.objects.select_related("province")
        code = request.query_params.get("province")
        if code:
            rows = rows.filter(province__code=code)
        return _paginate(self, request, rows, s.DistrictRow, ByCode)


class DistrictDetail(APIView):
    @extend_schema(operation_id="district_directory", responses={200: s.DistrictDirectory, **ERRORS})
    def get(self, request: Request, code: str) -> Response:
        district = get_object_or_404(District.objects.select_related("province"), code=code)
        found = directory.district_directory(district=district)
        data = {
            "district": district,
            "officer": found.current.officer if found.current else None,
            "since": found.current.start_date if found.current else None,
        }
        return Response(s.DistrictDirectory(data).data)


class UnitList(APIView):
    @extend_schema(operation_id="units_list", responses={200: s.UnitRow(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        """The coordination centre first, then the central bureaus and divisions, with their contacts."""
        return Response(s.UnitRow(directory.central_units(), many=True).data)


# --- coordination requests ------------------------------------------------------------------------------

LISTS = ("mine", "queue", "pool", "province", "all")
FILTERS = [
    OpenApiParameter("list", str, enum=LISTS, description="Which list of the pages (default: mine)"),
    OpenApiParameter("q", str),
    OpenApiParameter("status", str),
    OpenApiParameter("urgency", str),
    OpenApiParameter("category", int),
    OpenApiParameter("province", int),
    OpenApiParameter("district", int),
    OpenApiParameter("overdue", bool),
    OpenApiParameter("date_from", str, description="Sent from (Buddhist Era or ISO date)"),
    OpenApiParameter("date_to", str),
]


def _managed_provinces(scope: Any) -> set[int]:
    ids: set[int] = set()
    for role in (Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD):
        ids |= scope.provinces_by_role.get(role, frozenset())
    return ids


def _filtered(request: Request, qs: Any, province_ids: set[int] | None) -> Any:
    """The pages' filter form and filter: a value outside the caller's scope is refused (400)."""
    params = {k: v for k, v in request.query_params.items() if k not in ("list", "cursor", "page_size")}
    if not params:
        return qs
    form = FilterForm(params, province_ids=province_ids)
    if not form.is_valid():
        raise ApiValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    data = form.cleaned_data
    flt = request_selectors.RequestFilter(
        q=data["q"].strip(),
        status=data["status"],
        urgency=data["urgency"],
        category=data["category"].pk if data["category"] else None,
        province=data["province"].pk if data.get("province") else None,
        district=data["district"].pk if data.get("district") else None,
        overdue=data["overdue"],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )
    return flt.apply(qs, timezone.now())


def _request_list(request: Request) -> Any:
    user, scope = _user(request), api_scope(request)
    which = request.query_params.get("list", "mine")
    if which == "mine":
        return _filtered(request, request_selectors.my_requests(user), set())
    if which == "queue":
        return request_selectors.waiting_for(user)
    if which == "pool":
        units = request_selectors.pool_units(scope)
        if not units:
            raise Http404
        return request_selectors.pool(units)
    if which == "province":
        provinces = _managed_provinces(scope)
        if not provinces:
            raise Http404
        return _filtered(request, request_selectors.province_requests(provinces), provinces)
    if which == "all":
        if not scope.is_central:
            raise Http404
        return _filtered(request, request_selectors.all_requests(), None)
    raise ApiValidationError({"list": [_("Choose one of: %(lists)s.") % {"lists": ", ".join(LISTS)}]})


def _get_request(request: Request, pk: int) -> CoordinationRequest:
    found = request_selectors.request_for(request.user, api_scope(request), pk)
    if found is None:
        raise Http404
    return found


def _request_detail(request: Request, req: CoordinationRequest) -> dict[str, Any]:
    req.actions = sorted(available_actions(_user(request), api_scope(request), req))  # type: ignore[attr-defined]
    req.timeline = [  # type: ignore[attr-defined]
        {"at": e.at, "kind": e.kind, "text": str(describe(e)), "detail": str(step_detail(e) or "")}
        for e in request_selectors.timeline(req)
    ]
    data = s.RequestDetail(req).data
    return dict(data)


class RequestList(APIView):
    @extend_schema(
        operation_id="requests_list",
        parameters=[*PAGING, *FILTERS],
        responses={200: s.PagedRequest, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        return _paginate(self, request, _request_list(request), s.RequestRow)

    @extend_schema(
        operation_id="request_open",
        request={"multipart/form-data": s.RequestNew, "application/json": s.RequestNew},
        responses={201: s.RequestDetail, **ERRORS, 422: s.Error},
    )
    def post(self, request: Request) -> Response:
        """Open a request (a draft; `send` sends it to the group director), with the page's checks."""
        user, scope = _user(request), api_scope(request)
        districts = request_services.requester_districts(scope)
        if not districts:
            raise Http404
        files = request.FILES if hasattr(request.data, "getlist") else None
        form = RequestForm(request.data, files, districts=districts, province_id=districts[0].province_id)
        if not form.is_valid():
            raise ApiValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        uploads = form.cleaned_data.get("attachments") or []
        for upload in uploads:
            try:
                request_services.attachment_check(upload)
            except ValidationError as error:
                raise ApiValidationError({"attachments": error.messages}) from error
        try:
            draft = request_services.request_save_draft(
                by=user, data=form.to_input(), key=form.cleaned_data.get("token") or uuid.uuid4()
            )
            if not draft.attachments.exists():
                for upload in uploads:
                    request_services.attachment_add(request=draft, by=user, upload=upload)
            if str(request.data.get("send", "")).lower() in ("1", "true", "on", "yes"):
                request_services.request_send(request=draft, by=user)
        except ValidationError as error:
            raise from_validation(error) from error
        except (request_services.RequestError, TaskUnavailable) as error:
            raise Unprocessable(str(error)) from error
        return Response(
            _request_detail(request, _get_request(request, draft.pk)), status=status.HTTP_201_CREATED
        )


class RequestDetail(APIView):
    @extend_schema(operation_id="request_read", responses={200: s.RequestDetail, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_request_detail(request, _get_request(request, pk)))


class RequestAction(APIView):
    @extend_schema(
        operation_id="request_act",
        request=s.ActionInput,
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=sorted(ACTIONS))],
        responses={200: s.ActionDone, 409: s.Error, 422: s.Error, **ERRORS},
    )
    def post(self, request: Request, pk: int, action: str) -> Response:
        """One action of the request page (route, return, reject, answer, ask, clarify, hand_on, accept,
        reopen, claim, release, withdraw, reassign), with the request's `version` as read: a request changed
        since answers 409 with what happened and the request as it is now."""
        req = _get_request(request, pk)
        user, scope = _user(request), api_scope(request)
        if action not in ACTIONS:
            raise Http404
        form = s.ActionInput(data=request.data)
        form.is_valid(raise_exception=True)
        post = {k: str(v) for k, v in form.validated_data.items()}
        if "task" not in post and req.current_task_id:  # the task the caller read: the request's current one
            post["task"] = str(req.current_task_id)
        version = form.validated_data.get("version")
        stale = version is not None and version != req.version
        if (
            action not in available_actions(user, scope, req)
            and action not in ("claim", "release")
            and not stale
        ):
            raise Conflict(
                _(
                    "Someone else has just acted on this request, or it has moved on. The page shows where it is now."
                ),
                current=_request_detail(request, req),
            )
        try:
            done = perform_action(req=req, user=user, action=action, post=post, version=version)
        except request_services.RequestConflict as error:
            fresh = request_selectors.request_for(user, scope, pk)
            if error.repeated:
                return Response(
                    {"message": str(error), "request": _request_detail(request, fresh) if fresh else None}
                )
            raise Conflict(str(error), current=_request_detail(request, fresh) if fresh else None) from error
        except ValidationError as error:
            raise from_validation(error) from error
        except (request_services.RequestError, TaskUnavailable) as error:
            raise Unprocessable(str(error)) from error
        fresh = request_selectors.request_for(user, scope, pk)
        return Response({"message": done, "request": _request_detail(request, fresh) if fresh else None})


# --- reporting ------------------------------------------------------------------------------------------


def _cycle(pk: int) -> ReportingCycle:
    return get_object_or_404(ReportingCycle, pk=pk)


def _progress(p: Any) -> dict[str, int]:
    return {name: getattr(p, name) for name in s.Progress().fields}


class CycleList(APIView):
    @extend_schema(operation_id="cycles_list", parameters=PAGING, responses={200: s.PagedCycle, **ERRORS})
    def get(self, request: Request) -> Response:
        """The cycles (central staff: every one, also scheduled; others: those with reports)."""
        if api_scope(request).is_central:
            rows = ReportingCycle.objects.all()
        else:
            rows = ReportingCycle.objects.filter(pk__in=[c.pk for c in cycles_for_switcher()])
        return _paginate(self, request, rows, s.Cycle)


class CycleProgress(APIView):
    @extend_schema(operation_id="cycle_progress", responses={200: s.ProvinceProgress(many=True), **ERRORS})
    def get(self, request: Request, cycle_pk: int) -> Response:
        """The progress of each province the caller watches (central staff: every province)."""
        allowed = monitored_provinces(api_scope(request))
        if allowed is not None and not allowed:
            raise Http404
        cycle = _cycle(cycle_pk)
        provinces = Province.objects.outside_bangkok().only("pk", "code", "name_th", "name_en")
        if allowed is not None:
            provinces = provinces.filter(pk__in=allowed)
        rows = province_progress(cycle, provinces=list(provinces))
        data = [{"province": r.province, "progress": _progress(r.progress)} for r in rows]
        return Response(s.ProvinceProgress(data, many=True).data)


class CycleProvince(APIView):
    @extend_schema(operation_id="cycle_province", responses={200: s.ProvinceReports, **ERRORS})
    def get(self, request: Request, cycle_pk: int, province_pk: int) -> Response:
        """Each district's report in a province: its status, as on the province's progress page."""
        place = get_object_or_404(Province, pk=province_pk)
        if not may_monitor_province(api_scope(request), place.pk):
            raise Http404
        found = district_rows(_cycle(cycle_pk), place)
        data = {
            "province": place,
            "progress": _progress(found.progress),
            "districts": [
                {
                    "report": row.report.pk,
                    "district": row.report.district.code,
                    "status": row.report.status,
                    "complete": row.report.complete,
                    "overdue": row.overdue,
                }
                for row in found.rows
            ],
        }
        return Response(s.ProvinceReports(data).data)


def _get_report(request: Request, pk: int) -> DistrictReport:
    report = reports_shown().filter(pk=pk).first()
    if report is None or not in_scope(_user(request), api_scope(request), report):
        raise Http404
    return report


def _report(request: Request, report: DistrictReport) -> dict[str, Any]:
    values = report_services.report_values(report)
    fields = []
    for name, indicator in report_services.report_fields(report.cycle):
        label = (
            indicator.name
            if indicator
            else str(getattr(DistrictReport._meta.get_field(name), "verbose_name", name))
        )
        fields.append(
            {
                "name": name,
                "label": label,
                "required": indicator.required if indicator else True,
                "upper_bound": indicator.upper_bound if indicator else None,
                "value": values.get(name),
            }
        )
    return dict(
        s.Report(
            {
                "id": report.pk,
                "cycle": report.cycle_id,
                "district": report.district.code,
                "province": report.province.code,
                "status": report.status,
                "complete": report.complete,
                "revision": report.revision,
                "due_at": report.due_at,
                "may_edit": report_services.may_edit(_user(request), report),
                "fields": fields,
            }
        ).data
    )


class ReportList(APIView):
    @extend_schema(
        operation_id="reports_list",
        parameters=[*PAGING, OpenApiParameter("cycle", int)],
        responses={200: s.PagedReport, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The reports the caller fills in (the officer's list of the pages)."""
        rows = my_reports_of(_user(request), api_scope(request)).prefetch_related(
            "values", "cycle__indicators"
        )
        cycle = request.query_params.get("cycle")
        if cycle:
            rows = rows.filter(cycle_id=_int(cycle) or 0)
        pages = Cursor()
        page = pages.paginate_queryset(rows, request, view=self)
        return pages.get_paginated_response([_report(request, r) for r in page or []])


class ReportDetail(APIView):
    @extend_schema(operation_id="report_read", responses={200: s.Report, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_report(request, _get_report(request, pk)))


def _report_write(view: APIView, request: Request, pk: int, submit: bool) -> Response:
    report = _get_report(request, pk)
    user = _user(request)
    form = s.ReportInput(data=request.data)
    form.is_valid(raise_exception=True)
    data = report_services.ReportInput(
        raw={k: str(v) for k, v in (form.validated_data.get("values") or {}).items()},
        confirmed=set(form.validated_data.get("confirmed") or []),
        revision=form.validated_data["revision"],
    )
    try:
        if submit:
            done = report_services.report_submit(report=report, data=data, by=user)
            message = (
                _("Report submitted. It is complete: thank you.")
                if done.complete
                else _("Report submitted to the group director for review.")
            )
        else:
            report_services.report_save_draft(report=report, data=data, by=user)
            message = _("Draft saved. Submit the report when every value is in.")
    except report_services.ReportConflict as error:
        raise Conflict(str(error), current=_report(request, _get_report(request, pk))) from error
    except report_services.ReportInvalid as error:
        raise ApiValidationError(error.errors) from error
    except (report_services.ReportError, TaskUnavailable) as error:
        raise Unprocessable(str(error)) from error
    return Response({"message": message, "report": _report(request, _get_report(request, pk))})


class ReportDraft(APIView):
    @extend_schema(
        operation_id="report_save_draft",
        request=s.ReportInput,
        responses={200: s.ReportDone, 409: s.Error, 422: s.Error, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Save the values as a draft (`revision`: the one read; a report changed since answers 409)."""
        return _report_write(self, request, pk, submit=False)


class ReportSubmit(APIView):
    @extend_schema(
        operation_id="report_submit",
        request=s.ReportInput,
        responses={200: s.ReportDone, 409: s.Error, 422: s.Error, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Submit the report: every required value, on time (or within an extension)."""
        return _report_write(self, request, pk, submit=True)


# --- the caller's own notifications ---------------------------------------------------------------------


class NotificationList(APIView):
    @extend_schema(
        operation_id="notifications_list", parameters=PAGING, responses={200: s.PagedNotification, **ERRORS}
    )
    def get(self, request: Request) -> Response:
        pages = Cursor()
        page = pages.paginate_queryset(
            notification_selectors.notifications_for(_user(request)), request, self
        )
        rows = [
            {
                "id": n.pk,
                "kind": n.kind,
                "title": texts.title(n),
                "created_at": n.created_at,
                "read_at": n.read_at,
            }
            for n in page or []
        ]
        return pages.get_paginated_response(s.Notification(rows, many=True).data)


class NotificationsRead(APIView):
    @extend_schema(
        operation_id="notifications_mark_read", request=s.MarkRead, responses={200: s.Marked, **ERRORS}
    )
    def post(self, request: Request) -> Response:
        """Mark the caller's notifications read: those of `ids`, or all of them."""
        form = s.MarkRead(data=request.data)
        form.is_valid(raise_exception=True)
        count = notification_services.notifications_mark_read(
            user=_user(request), ids=form.validated_data.get("ids"), now=timezone.now()
        )
        return Response({"marked": count})
