"""The Jinja2 environment of the few hottest row templates (issue 12: template time).

A Django template spends about 0.8 ms on each row of the request table (25 rows: 21 ms of a 43 ms page, at
national scale under the production settings); Jinja2 compiles a template to Python and renders the same rows
in a fraction of that. Only the row templates of the longest lists are written for Jinja2, in an app's
``jinja2/`` folder; the pages stay Django templates and take such a table in with ``{% jinja %}``
(workdays/templatetags/rows.py).

What the Django templates have, these have too: autoescaping (the backend's default), the catalogue's
translations through ``_()`` and ``ngettext()`` (``{{ _("Number") }}``, which ``makemessages`` reads in an
``.html`` file as it reads Django's own ``{{ _("...") }}``), Thai dates (``thai_date``, ``thai_datetime``), a row's
URL (``row_url``, workdays/fast.py), a choice's label (``choice_label``) and Django's ``truncatechars``."""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import truncatechars
from django.utils.translation import gettext, ngettext
from jinja2 import Environment

from workdays.fast import choice_label, fixed_url, row_url
from workdays.templatetags.thai_dates import thai_date, thai_datetime


def environment(**options: Any) -> Environment:
    env = Environment(**{"extensions": ["jinja2.ext.i18n"], **options})
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(thai_date=thai_date, thai_datetime=thai_datetime, truncatechars=truncatechars)
    env.globals.update(row_url=row_url, choice_label=choice_label, url=fixed_url)
    return env
