"""Forms of the province management pages and the reference-data imports.

The forms only read and check what was typed; the rules (who may, overlaps, eligibility) live in the
services, whose refusals the views show on the same form.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from organisation.models import Officer
from organisation.services.imports import MAX_FILE_BYTES
from workdays.forms import OneLineField, ThaiDateField


def officer_label(officer: Officer) -> str:
    return f"{officer.full_name} ({officer.get_level_display()})"


class OfficerChoiceField(forms.ChoiceField):
    """A choice among the given officers (optionally in labelled groups); cleans to the Officer."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.officers: dict[str, Officer] = {}

    def set_officers(
        self, groups: Sequence[tuple[str | None, Iterable[Officer]]], *, blank: bool = True
    ) -> None:
        """The officers to choose from; `blank` adds the "Choose…" line a select starts on (radios need none)."""
        choices: list[Any] = [("", _("Choose…"))] if blank else []
        self.officers = {}  # a new dict: the declared field is shallow-copied into every form
        for label, group in groups:
            officers = list(group)
            options = [(str(o.pk), officer_label(o)) for o in officers]
            self.officers.update({str(o.pk): o for o in officers})
            if not options:
                continue
            if label is None:
                choices.extend(options)
            else:
                choices.append((label, options))
        self.choices = choices

    def clean(self, value: Any) -> Officer | None:
        value = super().clean(value)
        if value in self.empty_values:
            return None
        return self.officers[str(value)]


class ExpectedCurrentField(forms.CharField):
    """The id of the assignment the person saw ("" for nobody), to refuse a change made in between."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def clean(self, value: Any) -> int | None:
        value = super().clean(value)
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            raise forms.ValidationError(_("The form was damaged; reload the page."), code="invalid") from None


class DistrictAssignForm(forms.Form):
    # Radios, each officer shown with the districts they hold (organisation.selectors.assignments).
    officer = OfficerChoiceField(
        label=_("District officer"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the officer who is to be responsible.")},
    )
    start_date = ThaiDateField(label=_("Responsible from"))
    note = OneLineField(label=_("Note (optional)"), max_length=300, required=False)
    expected_current = ExpectedCurrentField()

    def __init__(self, *args: Any, officers: Iterable[Officer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].set_officers([(None, officers)], blank=False)  # type: ignore[attr-defined]


class UnitContactsForm(forms.Form):
    phone = forms.CharField(
        label=_("Phone"),
        max_length=50,
        required=False,
        help_text=_("As it should be dialled, e.g. 02 241 9013 or 053 112 345 ต่อ 12."),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)


class EndDateForm(forms.Form):
    end_date = ThaiDateField(label=_("Last day"))


class GroupDirectorForm(forms.Form):
    officer = OfficerChoiceField(label=_("Group director"))
    start_date = ThaiDateField(label=_("From"))

    def __init__(
        self, *args: Any, eligible: Iterable[Officer], ineligible: Iterable[Officer], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].set_officers(  # type: ignore[attr-defined]
            [(str(_("Eligible")), eligible), (str(_("Not eligible (see the reasons below)")), ineligible)]
        )


class ActingDeputyForm(forms.Form):
    deputy = OfficerChoiceField(label=_("Acting deputy"))
    start_date = ThaiDateField(label=_("From"))
    end_date = ThaiDateField(label=_("Until"))
    reason = OneLineField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, officers: Iterable[Officer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deputy"].set_officers([(None, officers)])  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day cannot be before the first day."))
        return data


class RoleGiveForm(forms.Form):
    officer = OfficerChoiceField(label=_("Officer"))
    start_date = ThaiDateField(label=_("From"))

    def __init__(self, *args: Any, officers: Iterable[Officer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].set_officers([(None, officers)])  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    LGOS = "lgos"
    NEIGHBOURS = "neighbours"

    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[
            (LGOS, _("Local government organisations (code, name_th, kind, district_code)")),
            (NEIGHBOURS, _("Adjoining districts (district_code_a, district_code_b)")),
        ],
    )
    file = forms.FileField(label=_("File (CSV UTF-8 or XLSX)"))

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB."), params={"size": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload
