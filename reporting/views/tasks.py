"""The page viewflow links a report's task to: the report's own page (flows/reporting.py's nodes)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from reporting.models import DistrictReport


@login_required
def task_redirect(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """A task opened from viewflow's own screens leads to the report's page."""
    text = str(kwargs.get("process_pk") or "")
    process_pk = int(text) if text.isdigit() and len(text) < 10 else 0
    found = DistrictReport.objects.filter(process_id=process_pk).values_list("pk", flat=True).first()
    if found is None:
        return redirect("reporting:mine")
    return redirect("reporting:report", pk=found)
