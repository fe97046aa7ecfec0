"""The working-day calendar: Thai holidays, office hours, Buddhist Era dates; and the one cleaning of
one-line text, which every app's models go through (workdays.forms.one_line)."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import models
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _

# The service's own apps: every one-line text they store (a CharField) is cleaned on its way in.
SERVICE_APPS = frozenset(
    {
        "accounts",
        "cases",
        "deadlines",
        "flows",
        "health",
        "notifications",
        "organisation",
        "reporting",
        "workdays",
    }
)


def one_line_fields_clean(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """Whatever path a one-line text takes into the database (a form, the admin, an import, a sign-in's
    claims, a service), it is stored as one line (workdays.forms.one_line); multi-line text is a TextField
    and stays as typed."""
    from workdays.forms import one_line

    if sender._meta.app_label not in SERVICE_APPS:
        return
    for field in sender._meta.concrete_fields:
        if type(field) is models.CharField and not field.choices:
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(instance, field.attname, one_line(value))


class WorkdaysConfig(AppConfig):
    name = "workdays"
    verbose_name = _("Working days")

    def ready(self) -> None:
        pre_save.connect(one_line_fields_clean, dispatch_uid="one_line_fields_clean")
        from django.core.signals import setting_changed

        from workdays.fast import forget_urls

        # A test that changes the URLs (ROOT_URLCONF) gets them reversed afresh.
        setting_changed.connect(forget_urls, dispatch_uid="workdays_forget_urls")
