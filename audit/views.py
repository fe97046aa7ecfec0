"""The audit log's search page: central staff search every change, a provincial head their province's."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit import selectors
from audit.forms import AuditSearchForm
from organisation.scope import scope_of

PAGE_SIZE = 50


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if not selectors.may_read(scope):
        raise PermissionDenied(_("Only central staff and provincial heads read the audit log."))
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = selectors.entries_search(
        scope=scope,
        person=filters.get("person") or "",
        subject=filters.get("subject") or "",
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = selectors.changes_shown(page.object_list)
    return render(
        request,
        "audit/search.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "querystring": query.urlencode(),
            "is_central": scope.is_central,
        },
    )
