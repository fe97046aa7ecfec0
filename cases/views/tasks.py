"""The page viewflow links a coordination task to: the request's own page (flows/coordination.py's nodes)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from cases.models import CoordinationRequest


@login_required
def task_redirect(request: HttpRequest, **kwargs: int) -> HttpResponse:
    """A task opened from viewflow's back-office screens leads to the request's own page."""
    process_pk = int(kwargs.get("process_pk") or 0)
    found = CoordinationRequest.objects.filter(process_id=process_pk).values_list("pk", flat=True).first()
    if found is None:
        return redirect("requests:mine")
    return redirect("requests:detail", pk=found)
