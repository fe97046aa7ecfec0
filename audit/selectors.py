"""Reading the audit log: central staff search all of it, a provincial head their province's."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, ForeignKey, ForeignObjectRel, Model, Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from organisation.models import Role
from organisation.selectors.roles import UserScope
from workdays.templatetags.thai_dates import thai_date, thai_datetime


def may_read(scope: UserScope) -> bool:
    return scope.is_central or Role.PROVINCIAL_HEAD in scope.roles


def entries_search(
    *,
    scope: UserScope,
    person: str = "",
    subject: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("content_type", "actor__officer", "province")
    if not scope.is_central:
        entries = entries.filter(
            province_id__in=scope.provinces_by_role.get(Role.PROVINCIAL_HEAD, frozenset())
        )
    if person:
        entries = entries.filter(
            Q(actor__username__icontains=person)
            | Q(actor_email__icontains=person)
            | Q(actor__officer__first_name_th__icontains=person)
            | Q(actor__officer__last_name_th__icontains=person)
            | Q(actor__officer__first_name_en__icontains=person)
            | Q(actor__officer__last_name_en__icontains=person)
        )
    if subject:
        entries = entries.filter(
            Q(object_repr__icontains=subject)
            | Q(content_type__model__icontains=subject)
            | Q(object_pk=subject)
        )
    tz = timezone.get_current_timezone()
    if date_from:
        entries = entries.filter(timestamp__gte=datetime.datetime.combine(date_from, datetime.time.min, tz))
    if date_to:
        entries = entries.filter(
            timestamp__lt=datetime.datetime.combine(
                date_to + datetime.timedelta(days=1), datetime.time.min, tz
            )
        )
    return entries.order_by("-timestamp", "-pk")


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def changes_shown(entries: Iterable[AuditEntry]) -> list[tuple[AuditEntry, list[Change]]]:
    """What each entry changed, as a person reads it: each field by its name in the page's language, dates and
    times in the Buddhist Era and Bangkok time, a choice by its label, a related record by its name (one query
    per kind of record for the whole page; a record deleted since shows its number), nothing as a dash. The log
    keeps the values as text: a field the model no longer has is shown as it was recorded."""
    parsed: list[tuple[AuditEntry, list[tuple[str, Field[Any, Any] | None, object, object]]]] = []
    wanted: dict[type[Model], set[str]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        fields = []
        for name, values in entry.changes_dict.items():
            before, after = [*values, None, None][:2] if isinstance(values, list) else (None, values)
            try:
                found = model._meta.get_field(name) if model is not None else None
            except FieldDoesNotExist:
                found = None
            if isinstance(found, ForeignObjectRel) or getattr(found, "primary_key", False):
                continue  # another record's link to this one, or the record's own key: nothing to read
            field = found if isinstance(found, Field) else None
            label = capfirst(str(field.verbose_name)) if field is not None else name
            if isinstance(field, ForeignKey):
                wanted[field.related_model].update(str(v) for v in (before, after) if str(v).isdigit())
            fields.append((label, field, before, after))
        parsed.append((entry, fields))
    names = {model: _names(model, pks) for model, pks in wanted.items()}
    return [
        (
            entry,
            [
                Change(label, _value(field, before, names), _value(field, after, names))
                for label, field, before, after in fields
            ],
        )
        for entry, fields in parsed
    ]


def _names(model: type[Model], pks: set[str]) -> dict[str, str]:
    """The records of `model` with these keys, each by the name a person knows it by (a person's account by the
    officer's name)."""
    records = model._default_manager.filter(pk__in=pks)
    if model is get_user_model():
        records = records.select_related("officer")
        return {str(r.pk): str(getattr(r, "officer", None) or r) for r in records}
    return {str(r.pk): str(r) for r in records}


def _value(field: Field[Any, Any] | None, value: object, names: dict[type[Model], dict[str, str]]) -> str:
    if value in (None, "None", ""):
        return "—"
    text = str(value)
    if field is None:
        return text
    if isinstance(field, ForeignKey):
        return names.get(field.related_model, {}).get(text, f"#{text}")
    choices = dict(field.flatchoices) if field.choices else {}
    if text in choices:
        return str(choices[text])
    kind = field.get_internal_type()
    try:
        if kind == "DateTimeField":
            moment = datetime.datetime.fromisoformat(text)
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, datetime.UTC)
            return thai_datetime(moment)
        if kind == "DateField":
            return thai_date(datetime.date.fromisoformat(text[:10]))
    except ValueError:
        return text
    if kind == "BooleanField" and text in ("True", "False"):
        return _("Yes") if text == "True" else _("No")
    return text
