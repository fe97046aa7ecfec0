from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.models import PERSON_CHANNELS, URGENT_KINDS, Channel, Kind


class PreferencesForm(forms.Form):
    """One checkbox per kind and channel, and the digest choice per kind (e-mail only)."""

    language = forms.ChoiceField(label=_("Language of notifications"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind:
            for channel in PERSON_CHANNELS:
                self.fields[f"{kind.value}__{channel.value}"] = forms.BooleanField(
                    label=f"{kind.label} · {channel.label}", required=False
                )
            if kind.value not in URGENT_KINDS:
                self.fields[f"{kind.value}__digest"] = forms.BooleanField(
                    label=_("%(kind)s: in the daily summary e-mail instead of at once")
                    % {"kind": kind.label},
                    required=False,
                )

    def rows(self) -> list[dict[str, Any]]:
        """The kinds as table rows, with their bound fields."""
        return [
            {
                "kind": kind,
                "in_app": self[f"{kind.value}__{Channel.IN_APP.value}"],
                "email": self[f"{kind.value}__{Channel.EMAIL.value}"],
                "digest": self[f"{kind.value}__digest"] if kind.value not in URGENT_KINDS else None,
            }
            for kind in Kind
        ]
