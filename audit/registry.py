"""The models whose every change is in the audit log: one list, here (a model added later, such as the API's
tokens, is one more line). Each names the path from a row to its province (None: the country's, seen by
central staff only) and the fields left out (secrets, counters that change on their own). A token's
revocation is a queryset update: api.services.token_revoke writes it with audit.services.changes_record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditlog.registry import auditlog
from django.apps import apps
from django.db.models import Model


@dataclass(frozen=True)
class Audited:
    label: str
    province: str | None = None  # attribute path to the province id, e.g. "district.province_id"
    exclude: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)


AUDITED = [
    Audited("organisation.Officer", province="province_id"),
    Audited("organisation.RoleAssignment", province="province_id"),
    Audited("organisation.DistrictAssignment", province="district.province_id"),
    Audited("organisation.ActingDeputy", province="province_id"),
    Audited("deadlines.DeadlinePolicy"),
    Audited("deadlines.DeadlineRule"),
    Audited("deadlines.EscalationStep"),
    Audited("workdays.CalendarDay"),
    Audited("reporting.MissionArea"),
    Audited("reporting.Indicator"),
    Audited("reporting.ReportingCycle"),
    # Extensions (its own deadline and the reason) and reopenings (its status) of a district's report.
    Audited(
        "reporting.DistrictReport", province="province_id", include=["due_at", "extension_reason", "status"]
    ),
    # The API's ways in: personal access tokens (their digest and last use left out) and service accounts.
    Audited("api.AccessToken", exclude=["digest", "last_used_at"]),
    Audited("api.ServiceAccount", province="province_id"),
    Audited(
        "notifications.Subscription",
        province="province_id",
        exclude=["secret", "previous_secret", "consecutive_failures"],
    ),
]

_BY_LABEL = {entry.label.lower(): entry for entry in AUDITED}


def register_all() -> None:
    for entry in AUDITED:
        options: dict[str, Any] = {}
        if entry.exclude:
            options["exclude_fields"] = entry.exclude
        if entry.include:
            options["include_fields"] = entry.include
        auditlog.register(apps.get_model(entry.label), **options)


def province_of(instance: Model) -> int | None:
    entry = _BY_LABEL.get(instance._meta.label_lower)
    if entry is None or entry.province is None:
        return None
    value: Any = instance
    for part in entry.province.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return int(value)
