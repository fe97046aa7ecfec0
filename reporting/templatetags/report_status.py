"""A district report's status as the pages show it, the same everywhere: its colour and its word
(reporting.selectors.progress decides both; a complete report is green whatever its status)."""

from __future__ import annotations

from django import template

from reporting.models import DistrictReport
from reporting.selectors.progress import status_colour, status_word

register = template.Library()


@register.filter
def report_colour(report: DistrictReport) -> str:
    return status_colour(report.status, report.complete)


@register.filter
def report_word(report: DistrictReport) -> str:
    return status_word(report.status, report.complete)
