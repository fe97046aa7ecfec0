"""Province management: the provincial head of a province and central staff assign district officers to
districts, appoint the group director and an acting deputy, and give or end the district-officer role.

Every write goes through cases.services; a refusal from a service is shown on the same form with what
was typed kept. Pages are POST-redirect-GET.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from organisation.forms import (
    ActingDeputyForm,
    DistrictAssignForm,
    EndDateForm,
    GroupDirectorForm,
    ImportForm,
    RoleGiveForm,
    UnitContactsForm,
)
from organisation.models import (
    ActingDeputy,
    District,
    DistrictAssignment,
    Officer,
    Province,
    Role,
    RoleAssignment,
    Unit,
)
from organisation.selectors.assignments import assign_choices
from organisation.selectors.directory import central_units
from organisation.selectors.roles import UserScope, user_scope
from organisation.services.appointments import (
    acting_deputy_set,
    group_director_ineligibility,
    role_appoint,
    role_end,
)
from organisation.services.assignments import district_assign, district_assignment_warnings, district_unassign
from organisation.services.imports import ImportFailed, lgos_import, neighbours_import
from organisation.services.units import may_edit_unit_contacts, unit_contacts_update
from workdays.templatetags.thai_dates import thai_date as _date
from workdays.thai import thai_order

GET_POST = require_http_methods(["GET", "POST"])


# Scope --------------------------------------------------------------------------------------------------


def _scope(request: HttpRequest) -> UserScope:
    if not hasattr(request, "_user_scope"):
        request._user_scope = user_scope(request.user)  # type: ignore[attr-defined]
    return request._user_scope  # type: ignore[attr-defined]


def _managed_province(request: HttpRequest, code: str) -> Province:
    """The province, when the user may manage it. Someone who manages no province at all is refused (403);
    a provincial head asking for another province is told it does not exist (404)."""
    scope = _scope(request)
    if not (scope.is_central or scope.has_role(Role.PROVINCIAL_HEAD)):
        raise PermissionDenied(_("Only provincial heads and central staff manage provinces."))
    province = Province.objects.filter(code=code).first()
    if province is None or not province.has_provincial_office or not scope.may_manage_province(province):
        raise Http404
    return province


def _province_url(province: Province) -> str:
    return reverse("manage:province", args=[province.code])


def _add_service_error(form: Any, error: ValidationError) -> None:
    """The service's refusal on top of the form; its code (e.g. "stale") is kept for callers and tests."""
    form.add_error(None, error)


def _today() -> datetime.date:
    return timezone.localdate()


# Reads for the pages (kept here: they serve only these pages) -------------------------------------------


def _province_officers(province: Province) -> list[Officer]:
    return list(
        Officer.objects.filter(province=province, is_active=True).order_by(thai_order("first_name_th"), "pk")
    )


def _district_officers(province: Province, on: datetime.date) -> list[Officer]:
    ids = (
        RoleAssignment.objects.current(on)
        .filter(role=Role.DISTRICT_OFFICER, province=province)
        .values("officer_id")
    )
    return list(
        Officer.objects.filter(pk__in=ids, is_active=True).order_by(thai_order("first_name_th"), "pk")
    )


def _open_assignment(district: District) -> DistrictAssignment | None:
    return (
        DistrictAssignment.objects.filter(district=district, end_date__isnull=True)
        .select_related("officer")
        .first()
    )


def _open_role(province: Province, role: str) -> RoleAssignment | None:
    return (
        RoleAssignment.objects.filter(province=province, role=role, end_date__isnull=True)
        .select_related("officer")
        .order_by("-start_date")
        .first()
    )


# Pages --------------------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    if scope.is_central:
        queryset = Province.objects.outside_bangkok()
    else:
        queryset = Province.objects.filter(
            pk__in=scope.provinces_by_role.get(Role.PROVINCIAL_HEAD, frozenset())
        )
    provinces = list(queryset.order_by(thai_order("name_th")))
    if not provinces:
        raise PermissionDenied(_("Only provincial heads and central staff manage provinces."))
    if len(provinces) == 1:
        return redirect(_province_url(provinces[0]))
    return render(
        request,
        "organisation/manage/index.html",
        {"provinces": provinces, "may_import": scope.is_central, "may_edit_central_units": scope.is_central},
    )


@login_required
def province_detail(request: HttpRequest, code: str) -> HttpResponse:
    province = _managed_province(request, code)
    today = _today()
    districts = list(District.objects.filter(province=province).select_related("province").order_by("code"))
    open_assignments = {
        a.district_id: a
        for a in DistrictAssignment.objects.filter(
            district__province=province, end_date__isnull=True
        ).select_related("officer", "district__province")
    }
    district_rows = [(d, open_assignments.get(d.pk)) for d in districts]
    officer_roles = list(
        RoleAssignment.objects.filter(role=Role.DISTRICT_OFFICER, province=province)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("officer")
        .order_by(thai_order("officer__first_name_th"), "start_date")
    )
    districts_of: dict[int, list[District]] = {}
    for assignment in open_assignments.values():
        districts_of.setdefault(assignment.officer_id, []).append(assignment.district)
    deputies = list(
        ActingDeputy.objects.filter(province=province, end_date__gte=today)
        .select_related("deputy")
        .order_by("start_date")
    )
    return render(
        request,
        "organisation/manage/province.html",
        {
            "province": province,
            # The office first, then its coordination group.
            "units": list(Unit.objects.filter(province=province, is_active=True).order_by("-kind")),
            "today": today,
            "district_rows": district_rows,
            "unassigned_count": sum(1 for _d, a in district_rows if a is None),
            "officer_rows": [(r, districts_of.get(r.officer_id, [])) for r in officer_roles],
            "director": _open_role(province, Role.GROUP_DIRECTOR),
            "deputies": deputies,
            "may_import": _scope(request).is_central,
        },
    )


@login_required
@GET_POST
def district_assign_view(request: HttpRequest, code: str, district_code: str) -> HttpResponse:
    province = _managed_province(request, code)
    district = get_object_or_404(District, province=province, code=district_code)
    current = _open_assignment(district)
    officers = _district_officers(province, _today())
    context: dict[str, Any] = {
        "province": province,
        "district": district,
        "current": current,
        "has_officers": bool(officers),
    }

    def page(form: DistrictAssignForm, on: datetime.date) -> HttpResponse:
        # Each officer with the districts they hold on the first day, and whether this one adjoins them.
        choices, neighbours_known = assign_choices(district=district, officers=officers, on=on)
        return render(
            request,
            "organisation/manage/district_assign.html",
            {**context, "form": form, "choices": choices, "neighbours_known": neighbours_known},
        )

    if request.method != "POST":
        form = DistrictAssignForm(
            officers=officers,
            initial={"expected_current": current.pk if current else "", "start_date": _today()},
        )
        return page(form, _today())

    form = DistrictAssignForm(request.POST, officers=officers)
    if not form.is_valid():
        return page(form, form.cleaned_data.get("start_date") or _today())
    officer: Officer = form.cleaned_data["officer"]
    start_date: datetime.date = form.cleaned_data["start_date"]
    if request.POST.get("edit"):
        # Back from the confirmation step to the form, with what was chosen.
        return page(form, start_date)
    confirmed = request.POST.get("confirmed") == "1"
    if not confirmed:
        warnings = district_assignment_warnings(district=district, officer=officer, start_date=start_date)
        if warnings:
            return render(
                request,
                "organisation/manage/district_assign_confirm.html",
                {**context, "form": form, "warnings": warnings, "officer": officer, "start_date": start_date},
            )
    try:
        result = district_assign(
            district=district,
            officer=officer,
            start_date=start_date,
            by=request.user,  # type: ignore[arg-type]
            expected_current=form.cleaned_data["expected_current"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        if current is not None and current.officer_id == officer.pk and current.start_date == start_date:
            # The same form sent twice: the first one saved it.
            messages.info(
                request,
                _("%(officer)s is already responsible for %(district)s from %(date)s.")
                % {"officer": officer, "district": district.display_name, "date": _date(start_date)},
            )
            return redirect(_province_url(province))
        _add_service_error(form, error)
        if getattr(error, "code", None) == "stale":
            # Show the assignment as it is now; sending the form again is then a decision made knowingly.
            data = request.POST.copy()
            data["expected_current"] = str(current.pk) if current else ""
            refreshed = DistrictAssignForm(data, officers=officers)
            refreshed.is_valid()
            _add_service_error(refreshed, error)
            form = refreshed
        return page(form, start_date)
    messages.success(
        request,
        _("%(officer)s is responsible for %(district)s from %(date)s.")
        % {"officer": officer, "district": district.display_name, "date": _date(start_date)},
    )
    if not confirmed:
        for warning in result.warnings:
            messages.warning(request, warning)
    return redirect(_province_url(province))


@login_required
@GET_POST
def district_unassign_view(request: HttpRequest, code: str, district_code: str) -> HttpResponse:
    province = _managed_province(request, code)
    district = get_object_or_404(District, province=province, code=district_code)
    current = _open_assignment(district)
    if current is None:
        messages.info(
            request, _("Nobody is responsible for %(district)s.") % {"district": district.display_name}
        )
        return redirect(_province_url(province))
    form = EndDateForm(request.POST or None, initial={"end_date": _today()})
    if request.method == "POST" and form.is_valid():
        try:
            district_unassign(
                district=district,
                end_date=form.cleaned_data["end_date"],
                by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(officer)s is no longer responsible for %(district)s after %(date)s.")
                % {
                    "officer": current.officer,
                    "district": district.display_name,
                    "date": _date(form.cleaned_data["end_date"]),
                },
            )
            return redirect(_province_url(province))
    return render(
        request,
        "organisation/manage/district_unassign.html",
        {"province": province, "district": district, "current": current, "form": form},
    )


@login_required
@GET_POST
def group_director_view(request: HttpRequest, code: str) -> HttpResponse:
    province = _managed_province(request, code)
    today = _today()
    director = _open_role(province, Role.GROUP_DIRECTOR)
    candidates = [o for o in _province_officers(province) if not director or o.pk != director.officer_id]
    reasons = {o.pk: group_director_ineligibility(o, today) for o in candidates}
    eligible = [o for o in candidates if not reasons[o.pk]]
    ineligible = [(o, reasons[o.pk]) for o in candidates if reasons[o.pk]]
    form = GroupDirectorForm(
        request.POST or None,
        eligible=eligible,
        ineligible=[o for o, _r in ineligible],
        initial={"start_date": today},
    )
    if request.method == "POST" and form.is_valid():
        officer: Officer = form.cleaned_data["officer"]
        try:
            role_appoint(
                officer=officer,
                role=Role.GROUP_DIRECTOR,
                start_date=form.cleaned_data["start_date"],
                by=request.user,  # type: ignore[arg-type]
                province=province,
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(officer)s is group director of %(province)s from %(date)s.")
                % {"officer": officer, "province": province, "date": _date(form.cleaned_data["start_date"])},
            )
            return redirect(_province_url(province))
    elif request.method == "POST" and director and request.POST.get("officer") == str(director.officer_id):
        # The same appointment sent twice: the first one saved it.
        messages.info(request, _("%(officer)s already holds this role.") % {"officer": director.officer})
        return redirect(_province_url(province))
    return render(
        request,
        "organisation/manage/group_director.html",
        {
            "province": province,
            "director": director,
            "eligible": eligible,
            "ineligible": ineligible,
            "form": form,
        },
    )


@login_required
@GET_POST
def acting_deputy_view(request: HttpRequest, code: str) -> HttpResponse:
    province = _managed_province(request, code)
    today = _today()
    director = _open_role(province, Role.GROUP_DIRECTOR)
    officers = [o for o in _province_officers(province) if not director or o.pk != director.officer_id]
    form = ActingDeputyForm(request.POST or None, officers=officers, initial={"start_date": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            acting_deputy_set(
                province=province,
                deputy=data["deputy"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                reason=data["reason"],
                by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            if ActingDeputy.objects.filter(
                province=province,
                deputy=data["deputy"],
                start_date=data["start_date"],
                end_date=data["end_date"],
            ).exists():
                messages.info(request, _("This acting deputy is already set."))
                return redirect(_province_url(province))
            _add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(officer)s acts for the group director from %(start)s to %(end)s.")
                % {
                    "officer": data["deputy"],
                    "start": _date(data["start_date"]),
                    "end": _date(data["end_date"]),
                },
            )
            return redirect(_province_url(province))
    deputies = list(
        ActingDeputy.objects.filter(province=province, end_date__gte=today)
        .select_related("deputy")
        .order_by("start_date")
    )
    return render(
        request,
        "organisation/manage/acting_deputy.html",
        {"province": province, "director": director, "deputies": deputies, "form": form},
    )


@login_required
@GET_POST
def district_officer_add_view(request: HttpRequest, code: str) -> HttpResponse:
    province = _managed_province(request, code)
    today = _today()
    holders = set(
        RoleAssignment.objects.current(today)
        .filter(role=Role.DISTRICT_OFFICER, province=province)
        .values_list("officer_id", flat=True)
    )
    officers = [o for o in _province_officers(province) if o.pk not in holders]
    form = RoleGiveForm(request.POST or None, officers=officers, initial={"start_date": today})
    sent = request.POST.get("officer", "")
    if request.method == "POST" and not form.is_valid() and sent.isdigit() and int(sent) in holders:
        # The same form sent twice: the first one saved it.
        officer = Officer.objects.get(pk=int(sent))
        messages.info(request, _("%(officer)s already holds this role.") % {"officer": officer})
        return redirect(_province_url(province))
    if request.method == "POST" and form.is_valid():
        officer = form.cleaned_data["officer"]
        try:
            role_appoint(
                officer=officer,
                role=Role.DISTRICT_OFFICER,
                start_date=form.cleaned_data["start_date"],
                by=request.user,  # type: ignore[arg-type]
                province=province,
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(officer)s is a district officer of %(province)s from %(date)s.")
                % {"officer": officer, "province": province, "date": _date(form.cleaned_data["start_date"])},
            )
            return redirect(_province_url(province))
    return render(
        request, "organisation/manage/district_officer_add.html", {"province": province, "form": form}
    )


@login_required
@GET_POST
def role_end_view(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    province = _managed_province(request, code)
    assignment = get_object_or_404(
        RoleAssignment.objects.select_related("officer"),
        pk=pk,
        province=province,
        role__in=[Role.DISTRICT_OFFICER, Role.GROUP_DIRECTOR],
    )
    if assignment.end_date is not None and assignment.end_date < _today():
        messages.info(
            request,
            _("This role already ended on %(date)s.") % {"date": _date(assignment.end_date)},
        )
        return redirect(_province_url(province))
    districts = [
        a.district
        for a in DistrictAssignment.objects.filter(officer=assignment.officer, end_date__isnull=True)
        .select_related("district")
        .order_by("district__code")
    ]
    form = EndDateForm(request.POST or None, initial={"end_date": assignment.end_date or _today()})
    if request.method == "POST" and form.is_valid():
        try:
            role_end(
                assignment=assignment,
                end_date=form.cleaned_data["end_date"],
                by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request,
                _("The role of %(officer)s ends on %(date)s.")
                % {"officer": assignment.officer, "date": _date(form.cleaned_data["end_date"])},
            )
            return redirect(_province_url(province))
    return render(
        request,
        "organisation/manage/role_end.html",
        {"province": province, "assignment": assignment, "districts": districts, "form": form},
    )


@login_required
@GET_POST
def import_view(request: HttpRequest) -> HttpResponse:
    """Central staff upload LGOs or adjoining districts (the same service as the import commands)."""
    if not _scope(request).is_central:
        raise PermissionDenied(_("Only central staff import reference data."))
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        kind = form.cleaned_data["kind"]
        importer = lgos_import if kind == ImportForm.LGOS else neighbours_import
        try:
            report = importer(data=data, filename=upload.name or "")
        except ImportFailed as failed:
            errors = [str(e) for e in failed.errors]
        else:
            messages.success(
                request,
                _("%(name)s imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
                % {
                    "name": upload.name,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
            return HttpResponseRedirect(reverse("manage:imports"))
    return render(request, "organisation/manage/imports.html", {"form": form, "import_errors": errors})


@login_required
def units_view(request: HttpRequest) -> HttpResponse:
    """Central staff: the contact details of the centre and of the bureaus and divisions."""
    if not _scope(request).is_central:
        raise PermissionDenied(_("Only central staff edit the contact details of central units."))
    return render(request, "organisation/manage/units.html", {"units": central_units()})


@login_required
@GET_POST
def unit_contacts_view(request: HttpRequest, unit_code: str) -> HttpResponse:
    """A unit's phone, e-mail and address: central staff for every unit, a provincial head for the units of
    their province (another province's unit is not found, as for the province pages)."""
    scope = _scope(request)
    if not (scope.is_central or scope.has_role(Role.PROVINCIAL_HEAD)):
        raise PermissionDenied(_("Only provincial heads and central staff manage provinces."))
    unit = Unit.objects.select_related("province", "parent").filter(code=unit_code, is_active=True).first()
    if unit is None or not may_edit_unit_contacts(request.user, unit):  # type: ignore[arg-type]
        raise Http404
    back = _province_url(unit.province) if unit.province is not None else reverse("manage:units")
    form = UnitContactsForm(
        request.POST or None, initial={"phone": unit.phone, "email": unit.email, "address": unit.address}
    )
    if request.method == "POST" and form.is_valid():
        unit_contacts_update(unit=unit, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, _("The contact details of %(unit)s are saved.") % {"unit": unit.name})
        return redirect(back)
    return render(
        request, "organisation/manage/unit_contacts.html", {"unit": unit, "form": form, "back": back}
    )
