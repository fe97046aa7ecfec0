"""Tags for the rows of a list page (a builtin: no {% load %} needed).

``{% row_url "district-detail" row.district.code %}`` gives what ``{% url %}`` gives, reversing the pattern once
rather than once a row (workdays/fast.py); ``{% row_url ... as name %}`` too.
``{% jinja "requests/_table.html" rows=rows %}`` renders one of the few hottest row templates, written for Jinja2
(workdays/jinja_env.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

from workdays.fast import row_url as _row_url

register = template.Library()


@register.simple_tag(name="row_url")
def row_url(viewname: str, *args: Any) -> str:
    return _row_url(viewname, *args)


@register.simple_tag(name="jinja")
def jinja(name: str, **values: Any) -> str:
    """``{% jinja "requests/_table.html" rows=page.object_list now=now %}``: the Jinja2 template `name` (from an
    app's ``jinja2/`` folder, workdays/jinja_env.py) rendered with these values only, escaped as Jinja2 escapes."""
    return mark_safe(engines["jinja2"].get_template(name).render(values))  # Jinja2 escaped it (autoescape)
