"""Pages of account administration (a province's SSO admin, or central staff), the public list of SSO admins
per provincial office, and the page shown to a locked-out sign-in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import selectors, services
from accounts.forms import AccountCreateForm, RoleGrantForm
from accounts.oidc import REFUSAL_SESSION_KEY
from accounts.security import client_ip
from organisation.models import Officer, Province, RoleAssignment
from organisation.scope import scope_of
from organisation.selectors.roles import UserScope

PAGE_SIZE = 100


def _scope(request: HttpRequest) -> UserScope:
    scope: UserScope = scope_of(request)
    return scope


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _province(request: HttpRequest, code: str) -> Province:
    province = Province.objects.filter(code=code).first()
    if province is None or not selectors.may_administer(_scope(request), province):
        raise Http404
    return province


def _officer(request: HttpRequest, code: str, pk: int) -> tuple[Province, Officer]:
    province = _province(request, code)
    officer = Officer.objects.filter(pk=pk, province=province).select_related("user", "province").first()
    if officer is None:
        raise Http404
    return province, officer


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    provinces = list(selectors.administered_provinces(_scope(request)))
    if not provinces:
        raise PermissionDenied(_("Only provincial SSO admins and central staff administer accounts."))
    if len(provinces) == 1:
        return redirect("accounts:province", code=provinces[0].code)
    return render(request, "accounts/index.html", {"provinces": provinces})


@login_required
@require_GET
def province_accounts(request: HttpRequest, code: str) -> HttpResponse:
    province = _province(request, code)
    query = request.GET.get("q", "").strip()[:100]
    current = RoleAssignment.objects.current(timezone.localdate()).order_by("role")
    officers = selectors.officers_of(province=province, query=query).prefetch_related(
        Prefetch("role_assignments", queryset=current, to_attr="current_roles")
    )[:PAGE_SIZE]
    return render(
        request,
        "accounts/province.html",
        {"province": province, "officers": officers, "query": query, "page_size": PAGE_SIZE},
    )


def _officer_page(request: HttpRequest, province: Province, officer: Officer, **extra: Any) -> HttpResponse:
    user = officer.user
    context = {
        "province": province,
        "officer": officer,
        "account": user,
        "roles": selectors.current_roles(officer),
        "lockouts": services.lockouts(user) if user else [],
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "create_form": AccountCreateForm(initial={"username": (officer.email or "").split("@")[0]}),
        "grant_form": RoleGrantForm(),
        "grantable": [str(role) for role in services.SSO_GRANTABLE_ROLES],
        **extra,
    }
    return render(request, "accounts/officer.html", context)


@login_required
@require_GET
def officer_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    province, officer = _officer(request, code, pk)
    return _officer_page(request, province, officer)


@login_required
@require_POST
def officer_action(request: HttpRequest, code: str, pk: int, action: str) -> HttpResponse:
    province, officer = _officer(request, code, pk)
    by, ip = _user(request), client_ip(request)
    try:
        if action == "create":
            form = AccountCreateForm(request.POST)
            if not form.is_valid():
                return _officer_page(request, province, officer, create_form=form)
            services.account_create(
                officer=officer, username=form.cleaned_data["username"], by=by, ip_address=ip
            )
            messages.success(request, _("The account is created. Give the officer a password link below."))
        elif action in ("deactivate", "reactivate"):
            services.account_set_active(officer=officer, active=action == "reactivate", by=by, ip_address=ip)
            messages.success(
                request,
                _("The account is reactivated.")
                if action == "reactivate"
                else _("The account is deactivated."),
            )
        elif action == "reset":
            link = services.password_reset_link(officer=officer, by=by, ip_address=ip)
            return _officer_page(
                request,
                province,
                officer,
                reset_url=request.build_absolute_uri(link.path),
                reset_days=link.valid_days,
            )
        elif action == "grant":
            grant_form = RoleGrantForm(request.POST)
            if not grant_form.is_valid():
                return _officer_page(request, province, officer, grant_form=grant_form)
            services.role_grant(officer=officer, role=grant_form.cleaned_data["role"], by=by, ip_address=ip)
            messages.success(request, _("The role is granted."))
        elif action == "revoke":
            assignment = RoleAssignment.objects.filter(
                pk=request.POST.get("assignment", 0), officer=officer
            ).first()
            if assignment is None:
                raise Http404
            services.role_revoke(assignment=assignment, by=by, ip_address=ip)
            messages.success(request, _("The role is revoked."))
        elif action == "unlock":
            services.lockout_clear(officer=officer, by=by, ip_address=ip)
            messages.success(request, _("The sign-in lock is cleared."))
        else:
            raise Http404
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect("accounts:officer", code=province.code, pk=officer.pk)


@require_GET
def sso_admin_list(request: HttpRequest) -> HttpResponse:
    """Public (no sign-in): pick a provincial office, see its SSO admins and their contact details."""
    offices = list(selectors.offices())
    code = request.GET.get("province", "")
    province = next((p for p in offices if p.code == code), None)
    admins = selectors.sso_admins(province=province) if province else []
    return render(
        request, "accounts/sso_admins.html", {"offices": offices, "province": province, "admins": admins}
    )


@require_GET
def sso_refused(request: HttpRequest) -> HttpResponse:
    """Where a refused DLA-SSO sign-in lands: who to ask (the province's SSO admins, or the list)."""

    refusal = request.session.get(REFUSAL_SESSION_KEY) or {}
    province = Province.objects.filter(code=refusal.get("province", "")).first()
    admins = selectors.sso_admins(province=province) if province else []
    return render(
        request,
        "accounts/sso_refused.html",
        {"reason": refusal.get("reason", ""), "province": province, "admins": admins},
    )


def locked_out(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes' lockout response: who can unlock (the SSO admins of the person's province)."""
    username = str(request.POST.get("username", ""))[:150]
    officer = selectors.officer_for_username(username) if username else None
    province = officer.province if officer else None
    admins = selectors.sso_admins(province=province) if province else []
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    return render(
        request,
        "registration/locked_out.html",
        {
            "province": province,
            "admins": admins,
            "minutes": minutes,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
        status=429,
    )
