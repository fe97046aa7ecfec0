"""Form fields: a date field that accepts Buddhist Era dates as officers type them (``01/10/2568``), and
the one cleaning of one-line text (a subject, a title, a name, a label) wherever it enters the service."""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from workdays.templatetags.thai_dates import BE_OFFSET, thai_date

_DATE_RE = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")
_ISO_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
# Years from here on are read as Buddhist Era; anything earlier as Common Era.
BE_THRESHOLD = 2400


def _breaks_or_controls(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text)


def one_line(value: str) -> str:
    """A one-line text as stored and sent: line breaks, tabs and other control characters (a crafted POST, a
    pasted cell, an imported file) become spaces, runs of spaces one, both ends trimmed. An e-mail subject
    or header made of it can never break."""
    if _breaks_or_controls(value):
        value = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in value)
    return " ".join(value.split())


class OneLineField(forms.CharField):
    """A one-line text input: cleaned by `one_line` before its length and the rest are checked."""

    def to_python(self, value: Any) -> str:
        return one_line(super().to_python(value) or "")


def parse_thai_date(raw: str) -> datetime.date:
    """Parse dd/mm/yyyy (BE or CE) or ISO yyyy-mm-dd. The BE year is converted before the date is
    built, so 29/02/2567 (a leap day: 2024 CE) is valid."""
    match = _DATE_RE.match(raw)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        iso = _ISO_RE.match(raw)
        if not iso:
            raise ValueError(raw)
        year, month, day = (int(g) for g in iso.groups())
    if year >= BE_THRESHOLD:
        year -= BE_OFFSET
    return datetime.date(year, month, day)


class ThaiDateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {
            "placeholder": "วว/ดด/ปปปป",
            "inputmode": "numeric",
            "autocomplete": "off",
            "class": "date-be",
        }
        super().__init__(attrs={**base, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.date):
            return thai_date(value, "numeric")
        return super().format_value(value)


class ThaiDateField(forms.DateField):
    widget = ThaiDateInput
    default_error_messages = {
        "invalid": _("Enter a date as day/month/Buddhist Era year, for example 01/10/2568."),
    }

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_thai_date(str(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
