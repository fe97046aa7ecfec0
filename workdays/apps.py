"""The working-day calendar: Thai holidays, office hours, Buddhist Era dates."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "workdays"
    verbose_name = _("Working days")
