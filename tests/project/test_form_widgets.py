"""Form widgets render with the project's templates (FORM_RENDERER), whose select writes its options in place
(templates/django/forms/widgets/select.html): the same markup as Django's, without an include per option."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test import override_settings
from django.test.signals import template_rendered

from cases.forms import FilterForm
from organisation.models import District


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "All"), ("a", "<A & a>"), ("b", "B")], initial="b")
    grouped = forms.ChoiceField(
        choices=[("", "—"), ("North", [("50", "เชียงใหม่"), ("51", "ลำพูน")]), ("30", "นครราชสีมา")],
        initial="51",
        widget=forms.Select(attrs={"class": "wide", "data-x": 'say "hi"'}),
    )
    several = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B"), ("c", "C")], initial=["a", "c"])
    maybe = forms.NullBooleanField()
    disabled = forms.ChoiceField(choices=[("x", "X")], disabled=True, required=False)


class Districts(forms.Form):
    district = forms.ModelChoiceField(queryset=District.objects.order_by("code"), required=False)


def _forms() -> list[forms.Form]:
    return [
        Choices(),
        Choices({"plain": "a", "grouped": "30", "several": ["b"], "maybe": "false"}),
        Districts(),  # every district of the country: a long select
        FilterForm(None, province_ids=None),
        FilterForm({"province": "1"}, province_ids=None),
        FilterForm({"status": "REVIEW", "urgency": "URGENT"}, province_ids=set()),
    ]


def _html(form: forms.Form) -> str:
    return "".join(str(field) for field in form) + str(form)


@pytest.mark.django_db
def test_selects_render_exactly_as_djangos_own_templates_render_them() -> None:
    ours = [_html(form) for form in _forms()]
    with override_settings(FORM_RENDERER="django.forms.renderers.DjangoTemplates"):
        djangos = [_html(form) for form in _forms()]

    assert ours == djangos
    assert ours[2].count("<option") > 900  # the districts: the comparison covers a long select


def test_a_select_includes_no_template_per_option() -> None:
    rendered: list[str] = []

    def record(sender: Any, template: Any, **kwargs: Any) -> None:
        rendered.append(template.name)

    template_rendered.connect(record)
    try:
        str(Choices()["plain"])
    finally:
        template_rendered.disconnect(record)

    assert "django/forms/widgets/select.html" in rendered
    assert "django/forms/widgets/select_option.html" not in rendered
