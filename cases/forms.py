"""Forms of the coordination request pages. Validation that matters is in the services; these forms parse."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cases.models import Category, RequestStatus
from cases.selectors.monitoring import AGES, EVENTS, STEP_DEADLINES
from cases.services.requests import RequestInput, target_units
from deadlines.models import Urgency
from organisation.models import District, LocalGovernmentOrganisation, Province, Unit
from workdays.forms import OneLineField, ThaiDateField
from workdays.thai import thai_order


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def target_choices(exclude_province: int | None) -> list[tuple[Any, Any]]:
    units = target_units()
    centre = [(f"unit:{u.pk}", u.name) for u in units if u.kind == Unit.Kind.COORDINATION_CENTRE]
    central = [(f"unit:{u.pk}", u.name) for u in units if u.kind != Unit.Kind.COORDINATION_CENTRE]
    provinces = [
        (f"province:{p.pk}", p.name)
        for p in Province.objects.outside_bangkok()
        .exclude(pk=exclude_province or 0)
        .order_by(thai_order("name_th"))
    ]
    return [
        ("", _("Choose…")),
        (_("Coordination centre"), centre),
        (_("Central bureaus and divisions"), central),
        (_("Another province (its group director)"), provinces),
    ]


def parse_target(value: str) -> tuple[Unit | None, Province | None]:
    kind, _sep, pk = (value or "").partition(":")
    if not pk.isdigit():
        return None, None
    if kind == "unit":
        return Unit.objects.filter(pk=pk).first(), None
    if kind == "province":
        return None, Province.objects.filter(pk=pk).first()
    return None, None


class RequestForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # The request's version the page showed (an edit): a save from an older page is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    subject = OneLineField(label=_("Subject"), max_length=200)
    details = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 8}), max_length=5000)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), empty_label=_("Choose…")
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    district = forms.ModelChoiceField(
        label=_("District concerned"), queryset=District.objects.none(), empty_label=_("Choose…")
    )
    lgo = forms.ModelChoiceField(
        label=_("Local government organisation (optional)"),
        queryset=LocalGovernmentOrganisation.objects.none(),
        required=False,
        empty_label=_("Not specified"),
    )
    target = forms.ChoiceField(label=_("Send to"))
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("PDF, Word (DOCX), Excel (XLSX), JPG or PNG, at most 10 MB each."),
    )

    def __init__(self, *args: Any, districts: list[District], province_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [d.pk for d in districts]
        self.fields["district"].queryset = (  # type: ignore[attr-defined]
            District.objects.filter(pk__in=ids).select_related("province").order_by(thai_order("name_th"))
        )
        self.fields["district"].label_from_instance = lambda d: d.display_name  # type: ignore[attr-defined]
        self.fields["lgo"].queryset = LocalGovernmentOrganisation.objects.filter(district_id__in=ids)  # type: ignore[attr-defined]
        self.fields["target"].choices = target_choices(province_id)  # type: ignore[attr-defined]
        if len(districts) == 1:
            self.fields["district"].initial = districts[0].pk
        if not self.is_bound and not self.initial.get("token"):
            self.initial["token"] = uuid.uuid4()

    def to_input(self) -> RequestInput:
        data = self.cleaned_data
        unit, province = parse_target(data["target"])
        return RequestInput(
            subject=data["subject"],
            details=data["details"],
            category=data["category"],
            urgency=data["urgency"],
            district=data["district"],
            lgo=data.get("lgo"),
            target_unit=unit,
            target_province=province,
        )


def initial_from(request: Any) -> dict[str, Any]:
    target = (
        f"unit:{request.target_unit_id}"
        if request.target_unit_id
        else f"province:{request.target_province_id}"
    )
    return {
        "version": request.version,
        "subject": request.subject,
        "details": request.details,
        "category": request.category_id,
        "urgency": request.urgency,
        "district": request.district_id,
        "lgo": request.lgo_id,
        "target": target,
    }


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Number, subject or requester"))
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))] + [c for c in RequestStatus.choices if c[0] != RequestStatus.DRAFT],
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), required=False, choices=[("", _("All")), *Urgency.choices]
    )
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.all(), empty_label=_("All")
    )
    province = forms.ModelChoiceField(
        label=_("Province"),
        required=False,
        queryset=Province.objects.outside_bangkok(),
        empty_label=_("All"),
    )
    district = forms.ModelChoiceField(
        label=_("District"), required=False, queryset=District.objects.none(), empty_label=_("All")
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    date_from = ThaiDateField(label=_("Sent from"), required=False)
    date_to = ThaiDateField(label=_("Sent until"), required=False)
    # The monitoring page's links (hidden: the page says what they show).
    event = forms.ChoiceField(
        required=False, widget=forms.HiddenInput, choices=[("", ""), ("open", ""), *[(e, "") for e in EVENTS]]
    )
    target_unit = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    target_province = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    involving = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    held_in = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    age = forms.ChoiceField(
        required=False, widget=forms.HiddenInput, choices=[("", ""), *[(a[0], "") for a in AGES]]
    )
    step = forms.ChoiceField(
        required=False, widget=forms.HiddenInput, choices=[("", ""), *[(s, "") for s in STEP_DEADLINES]]
    )
    deadline = forms.ChoiceField(
        required=False, widget=forms.HiddenInput, choices=[("", ""), ("met", ""), ("missed", "")]
    )
    unclaimed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    escalation = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=20)

    def __init__(self, *args: Any, province_ids: set[int] | frozenset[int] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What the choices offered depend on, besides the reference data and the language: the provinces whose
        # districts are offered (the list's filters/_fields.html is rendered once per such key while unbound).
        self.choices_key = (
            "country" if province_ids is None else ",".join(str(pk) for pk in sorted(province_ids))
        )
        if province_ids is None:  # the whole country: the districts of the province chosen, not all 878
            self.fields["district"].queryset = self._districts_of_chosen_province()  # type: ignore[attr-defined]
        elif not province_ids:  # a requester's own list: no province or district to choose
            del self.fields["province"]
            del self.fields["district"]
        else:
            del self.fields["province"]
            self.fields["district"].queryset = (  # type: ignore[attr-defined]
                District.objects.filter(province_id__in=province_ids)
                .select_related("province")
                .order_by(thai_order("name_th"))
            )
        if "district" in self.fields:
            self.fields["district"].label_from_instance = lambda d: d.display_name  # type: ignore[attr-defined]

    def _districts_of_chosen_province(self) -> QuerySet[District]:
        """A list of 878 districts is no list to choose from (and a tenth of a second to render): the district
        select lists the chosen province's, or only the district already chosen (a link from elsewhere)."""
        districts = (
            District.objects.outside_bangkok().select_related("province").order_by(thai_order("name_th"))
        )
        province, district = (str(self.data.get(name, "")) for name in ("province", "district"))
        if province.isdigit():
            return districts.filter(province_id=province)
        self.fields["district"].help_text = _("Choose a province and press Show first")
        return districts.filter(pk=district) if district.isdigit() else districts.none()
