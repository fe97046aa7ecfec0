from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workdays.forms import OneLineField, ThaiDateField


class AuditSearchForm(forms.Form):
    person = OneLineField(label=_("Who (name, user name or e-mail)"), required=False, max_length=100)
    subject = OneLineField(label=_("What (name of the record, kind or id)"), required=False, max_length=100)
    date_from = ThaiDateField(label=_("From"), required=False)
    date_to = ThaiDateField(label=_("Until"), required=False)
