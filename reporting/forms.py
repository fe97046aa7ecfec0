"""Forms of the reporting pages. The report form keeps the text the officer typed: the service parses it
(Thai digits, "1,200") and answers with a message per field, so the page shows each message next to its
field with nothing lost. The cycle and extension forms parse dates; the rules are in the services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from organisation.models import District, Province
from reporting.models import LETTER_FIELDS, CycleIndicator, DistrictReport
from reporting.services.cycles import CycleInput
from reporting.services.reports import (
    ReportInput,
    confirmed_values,
    parse_input,
    report_fields,
    report_values,
)
from workdays.calendar import fiscal_year
from workdays.forms import OneLineField, ThaiDateField
from workdays.templatetags.thai_dates import thai_date
from workdays.thai import thai_order

# Part 2: (field, office, direction). Office: the district office (สำนักงานอำเภอ) or the district local
# office (สถอ.); direction: received or sent.
LETTER_LAYOUT = {
    "letters_received_office": ("office", "received"),
    "letters_sent_office": ("office", "sent"),
    "letters_received_local": ("local", "received"),
    "letters_sent_local": ("local", "sent"),
}
LETTER_LABELS = {
    "letters_received_office": _("Letters received by the district office"),
    "letters_sent_office": _("Letters sent by the district office"),
    "letters_received_local": _("Letters received by the district local office (สถอ.)"),
    "letters_sent_local": _("Letters sent by the district local office (สถอ.)"),
}


def _english() -> bool:
    return (get_language() or "th").startswith("en")


def indicator_label(indicator: CycleIndicator) -> str:
    return indicator.name_en if _english() and indicator.name_en else indicator.name_th


def area_label(indicator: CycleIndicator) -> str:
    return indicator.area_name_en if _english() and indicator.area_name_en else indicator.area_name_th


@dataclass
class FieldRow:
    """One value of the report as the page shows it."""

    name: str
    label: str
    unit: str = ""
    help: str = ""
    required: bool = True
    bound: int | None = None
    raw: str = ""  # what the input holds: the saved value, or what was typed
    value: int | None = None  # the saved value (read-only view)
    error: str = ""
    warning: str = ""  # above the bound, not (yet) confirmed
    above_bound: bool = False  # the confirmation box is shown
    confirmed: bool = False  # ticked on this page, or confirmed before for this very value
    confirmed_before: bool = False  # confirmed with an earlier save: the page says so, asks nothing
    comment: str = ""  # the group director's comment on this value
    saved_elsewhere: str = ""  # after a conflict: the value saved in the other tab, when it differs
    review_text: str = ""  # what the reviewing director typed as a comment (kept after a refusal)
    direction: str = ""  # letters only: received or sent

    @property
    def confirm_name(self) -> str:
        return f"confirm_{self.name}"


@dataclass
class AreaGroup:
    code: str
    name: str
    rows: list[FieldRow] = field(default_factory=list)


@dataclass
class ReportForm:
    areas: list[AreaGroup]
    letters: dict[str, FieldRow]
    revision: int
    has_errors: bool = False
    comments: bool = False  # the director's comments are shown beside the fields

    @property
    def rows(self) -> list[FieldRow]:
        return [row for area in self.areas for row in area.rows] + list(self.letters.values())

    @property
    def letters_office(self) -> list[FieldRow]:
        return [self.letters["letters_received_office"], self.letters["letters_sent_office"]]

    @property
    def letters_local(self) -> list[FieldRow]:
        return [self.letters["letters_received_local"], self.letters["letters_sent_local"]]


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def report_form(
    report: DistrictReport,
    *,
    data: ReportInput | None = None,
    errors: dict[str, str] | None = None,
    revision: int | None = None,
    saved: dict[str, int | None] | None = None,
) -> ReportForm:
    """The report's values as a form: the saved values, or what was typed (`data`) with the messages of a
    refused save (`errors`). `saved`: the values saved elsewhere, shown beside a field after a conflict."""
    stored = report_values(report)
    if data is None:
        data = ReportInput(
            raw={name: _text(value) for name, value in stored.items()}, revision=report.revision
        )
    errors = errors or {}
    before = confirmed_values(report)
    parsed = parse_input(report.cycle, data, confirmed_before=before)
    comments: dict[str, str] = {}
    if report.status == "RETURNED":
        comments = dict((report.review_comments or {}).get("fields", {}))
    areas: dict[str, AreaGroup] = {}
    letters: dict[str, FieldRow] = {}
    for name, indicator in report_fields(report.cycle):
        row = FieldRow(
            name=name,
            label=indicator_label(indicator) if indicator else str(LETTER_LABELS[name]),
            unit=indicator.unit_shown if indicator else str(_("letters")),
            help=indicator.help_shown if indicator else "",
            required=indicator.required if indicator else True,
            bound=indicator.upper_bound if indicator else None,
            raw=data.raw.get(name, ""),
            value=stored.get(name),
            error=errors.get(name, ""),
            comment=comments.get(name, ""),
            confirmed=name in parsed.confirmed,
            confirmed_before=name in parsed.confirmed and name not in data.confirmed,
        )
        row.above_bound = name in parsed.unconfirmed or name in parsed.confirmed
        if name in parsed.unconfirmed and not row.error:
            row.warning = parsed.unconfirmed[name]
        if saved is not None and name in saved and _text(saved[name]) != row.raw.strip():
            row.saved_elsewhere = _text(saved[name]) or "–"
        if indicator is None:
            row.direction = LETTER_LAYOUT[name][1]
            letters[name] = row
            continue
        group = areas.setdefault(
            indicator.area_code, AreaGroup(code=indicator.area_code, name=area_label(indicator))
        )
        group.rows.append(row)
    return ReportForm(
        areas=list(areas.values()),
        letters=letters,
        revision=data.revision if revision is None else revision,
        has_errors=bool(errors),
        comments=bool(comments),
    )


def report_input(report: DistrictReport, post: Any) -> ReportInput:
    """What the officer sent: raw text per field, the ticked confirmations, the page's revision. A box
    carries the text it was shown for: ticked for a value typed over since, it confirms nothing."""
    names = [name for name, _indicator in report_fields(report.cycle)]
    revision = str(post.get("revision", ""))
    raw = {name: str(post.get(name, ""))[:100] for name in names}
    return ReportInput(
        raw=raw,
        confirmed={
            name
            for name in names
            if post.get(f"confirm_{name}") and str(post.get(f"confirm_{name}")).strip() == raw[name].strip()
        },
        revision=int(revision) if revision.isdigit() and len(revision) < 10 else -1,
    )


# Central staff: a new cycle


class CycleForm(forms.Form):
    fiscal_year = forms.IntegerField(
        label=_("Fiscal year (B.E.)"),
        min_value=2500,
        max_value=2700,
        help_text=_(
            "The Thai fiscal year runs from 1 October to 30 September and is named by the year it ends in."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "invalid": _("Write the fiscal year in the Buddhist Era, for example 2569."),
            "min_value": _("Write the fiscal year in the Buddhist Era, for example 2569."),
            "max_value": _("Write the fiscal year in the Buddhist Era, for example 2569."),
        },
    )
    label = OneLineField(
        label=_("Label"),
        max_length=100,
        help_text=_("For example ไตรมาส 1/2569"),
    )
    period_start = ThaiDateField(label=_("Period from"))
    period_end = ThaiDateField(label=_("Period until"))
    opens_on = ThaiDateField(
        label=_("Opening date"), help_text=_("On this day every district receives its report.")
    )
    closes_on = ThaiDateField(
        label=_("Closing date"), help_text=_("Reports are due at the end of office hours on this day.")
    )
    review_required = forms.BooleanField(
        label=_("The group director reviews each report"),
        required=False,
        initial=True,
        help_text=_("Without review, a submitted report counts as complete."),
    )
    early_close_confirmed = forms.BooleanField(
        label=_("Yes, the reports are due before the period they cover ends"),
        required=False,
    )

    def __init__(self, *args: Any, today: datetime.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_early_close_confirmation = False
        today = today or timezone.localdate()
        self.fields["fiscal_year"].initial = fiscal_year(today)
        self.fields["opens_on"].initial = today

    def clean(self) -> dict[str, Any]:
        """The order of the dates, checked with the other fields so that every message shows at once (the
        service checks them again, with the label's uniqueness and the closing date not past)."""
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The closing date cannot be before the opening date."))
        elif end and closes and closes < end and not data.get("early_close_confirmed"):
            # Usually a typo (a district cannot report figures of days still to come): staff confirm it.
            self.add_error(
                "closes_on",
                _(
                    "The closing date is before the end of the period (%(end)s): districts would report days "
                    "still to come. Correct it, or tick the confirmation below if that is intended."
                )
                % {"end": thai_date(end)},
            )
            self.needs_early_close_confirmation = True
        return data

    def to_input(self) -> CycleInput:
        data = self.cleaned_data
        return CycleInput(
            fiscal_year=data["fiscal_year"],
            label=data["label"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            review_required=bool(data["review_required"]),
        )


# Central staff: extend the deadline of one district or one province


class ExtendForm(forms.Form):
    PROVINCE = "province"
    DISTRICT = "district"

    target = forms.ChoiceField(
        label=_("Extend for"),
        choices=[(DISTRICT, _("One district")), (PROVINCE, _("A whole province"))],
        widget=forms.RadioSelect,
        initial=DISTRICT,
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.none(),
        required=False,
        empty_label=_("Choose…"),
    )
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.none(),
        required=False,
        empty_label=_("Choose…"),
    )
    until = ThaiDateField(
        label=_("New deadline"), help_text=_("Reports are due at the end of office hours on this day.")
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Written on each report's timeline and sent to its officer."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provinces = Province.objects.outside_bangkok().order_by(thai_order("name_th"))
        self.fields["province"].queryset = provinces  # type: ignore[attr-defined]
        districts = District.objects.outside_bangkok().select_related("province")
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        by_province: dict[str, list[tuple[int, str]]] = {}
        for d in districts.order_by(thai_order("province__name_th"), thai_order("name_th")):
            by_province.setdefault(d.province.name, []).append((d.pk, d.display_name))
        self.fields["district"].choices = [("", _("Choose…")), *by_province.items()]  # type: ignore[attr-defined]
        self.fields["province"].label_from_instance = lambda p: p.name  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        target = data.get("target")
        if target == self.DISTRICT and not data.get("district"):
            self.add_error("district", _("Choose the district."))
        if target == self.PROVINCE and not data.get("province"):
            self.add_error("province", _("Choose the province."))
        return data


__all__ = ["LETTER_FIELDS", "CycleForm", "ExtendForm", "ReportForm", "report_form", "report_input"]
