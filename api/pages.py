"""A person's own access tokens, and the service accounts central staff create for other systems. A new
token is shown once, on the page that made it: only its digest is stored."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from api import services
from api.forms import ServiceAccountForm, TokenForm
from api.models import AccessToken, ServiceAccount
from organisation.scope import scope_of


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _form_errors(form: Any, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@never_cache
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = TokenForm(request.POST or None)
    new = None
    if request.method == "POST" and form.is_valid():
        try:
            new = services.token_create(
                user=user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
            form = TokenForm()
        except ValidationError as error:
            _form_errors(form, error)
    context = {
        "form": form,
        "new": new,
        "tokens": services.tokens_of(user),
        "now": timezone.now(),
        "is_central": scope_of(request).is_central,
    }
    return render(request, "api/tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(AccessToken, pk=pk)
    try:
        services.token_revoke(token=token, by=_user(request))
    except PermissionDenied as error:  # someone else's token: as if it did not exist
        raise Http404 from error
    messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
    if ServiceAccount.objects.filter(user_id=token.user_id).exists():
        return redirect("tokens:service-accounts")
    return redirect("tokens:mine")


@never_cache
@login_required
def service_accounts(request: HttpRequest) -> HttpResponse:
    if not scope_of(request).is_central:
        raise Http404
    form = ServiceAccountForm(request.POST or None)
    new = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.service_account_create(
                name=data["name"],
                province=data["province"],
                may_write=data["may_write"],
                days=data["days"],
                by=_user(request),
            )
            form = ServiceAccountForm()
        except ValidationError as error:
            _form_errors(form, error)
    context = {"form": form, "new": new, "accounts": services.service_accounts(), "now": timezone.now()}
    return render(request, "api/service_accounts.html", context, status=400 if form.errors else 200)
