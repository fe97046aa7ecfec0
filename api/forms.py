from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from api.services import MAX_DAYS
from organisation.models import Province


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the system that will use it."),
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=MAX_DAYS, initial=90)


class ServiceAccountForm(TokenForm):
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.outside_bangkok(),
        required=False,
        empty_label=_("The whole country"),
    )
    may_write = forms.BooleanField(
        label=_("May change data"),
        required=False,
        help_text=_("Without it, the account only reads."),
    )
