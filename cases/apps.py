"""The coordination request, whole: models, services, selectors, forms, views and templates."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Coordination requests")
