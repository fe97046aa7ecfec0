"""Tags for the rows of a list page (a builtin: no {% load %} needed).

``{% row_url "district-detail" row.district.code %}`` gives what ``{% url %}`` gives, reversing the pattern once
rather than once a row (workdays/fast.py); ``{% row_url ... as name %}`` too."""

from __future__ import annotations

from typing import Any

from django import template

from workdays.fast import row_url as _row_url

register = template.Library()


@register.simple_tag(name="row_url")
def row_url(viewname: str, *args: Any) -> str:
    return _row_url(viewname, *args)
