from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import WebhookEventKind
from organisation.models import Province
from workdays.forms import OneLineField


class SubscriptionForm(forms.Form):
    name = OneLineField(label=_("Name"), max_length=100, help_text=_("Which system receives the events."))
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("An https:// address of the receiving system, reachable from the internet."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEventKind.choices, widget=forms.CheckboxSelectMultiple
    )
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.none(),
        required=False,
        empty_label=_("The whole country"),
    )
    is_active = forms.BooleanField(label=_("On"), required=False, initial=True)

    def __init__(self, *args: Any, provinces: Any, country: bool, editing: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["province"]  # a subscription keeps its scope
        else:
            del self.fields["is_active"]
            field = self.fields["province"]
            field.queryset = provinces  # type: ignore[attr-defined]
            field.required = not country
            if not country:
                field.empty_label = None  # type: ignore[attr-defined]
