"""The directory: any signed-in person finds who is responsible where, with contacts."""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from organisation.models import District, Province, Unit
from organisation.selectors.directory import (
    DIRECTORY_CACHE_SECONDS,
    central_units,
    directory_held_key,
    directory_search,
    district_directory,
    province_directory,
    provinces_for_filter,
    provinces_in_thai_order,
    reference_data_version,
    search_part,
)

# A page of results that reads (and renders) quickly on a phone; more than this asks the person to narrow.
RESULT_LIMIT = 30


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, district, province or unit"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "enterkeyhint": "search",
                "aria-describedby": "q-help",
            }
        ),
    )
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("All provinces"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["province"].queryset = provinces_for_filter()  # type: ignore[attr-defined]


@login_required
def search(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    result = None
    held_key = ""
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"]
        province = form.cleaned_data["province"]
        if query.strip() or province is not None:
            # The results are held rendered (search.html's {% cache %}) with the directory: read and drawn
            # only when they are not.
            result = SimpleLazyObject(
                lambda: directory_search(query=query, province=province, limit=RESULT_LIMIT)
            )
            part = search_part(query=query, province=province, limit=RESULT_LIMIT)
            # The words as typed (the form shows them so), not only as searched.
            typed = hashlib.sha256(str(form.data.get("q", "")).encode()).hexdigest()[:16]
            held_key = directory_held_key(f"{part}:{typed}:{get_language()}", timezone.localdate())
    # The first page: the centre first, then the provinces, then the bureaus and divisions.
    units = central_units() if result is None else []
    # The province select is written out in the template: Django's widget renders each of the 77 options
    # through a template of its own, which costs more than the search itself.
    return render(
        request,
        "organisation/directory/search.html",
        {
            "form": form,
            "provinces": provinces_in_thai_order(),
            "selected_province": form.data.get("province", ""),
            "result": result,
            "held_key": held_key,
            "held_seconds": DIRECTORY_CACHE_SECONDS,
            "centre": next((u for u in units if u.kind == Unit.Kind.COORDINATION_CENTRE), None),
            "central": [u for u in units if u.kind != Unit.Kind.COORDINATION_CENTRE],
            "data_version": reference_data_version(),
        },
    )


@login_required
def province_detail(request: HttpRequest, code: str) -> HttpResponse:
    province = get_object_or_404(Province, code=code)
    return render(
        request,
        "organisation/directory/province.html",
        {"directory": province_directory(province=province), "data_version": reference_data_version()},
    )


@login_required
def district_detail(request: HttpRequest, code: str) -> HttpResponse:
    district = get_object_or_404(District.objects.select_related("province"), code=code)
    return render(
        request,
        "organisation/directory/district.html",
        {"directory": district_directory(district=district), "data_version": reference_data_version()},
    )
