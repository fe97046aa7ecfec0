"""The coordination request, whole: models, services, selectors, forms, views and templates."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Coordination requests")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from cases.models import Category
        from organisation.cached import reference_forget

        # The categories are reference data held in each process (a request list's rows, its filter form).
        post_save.connect(reference_forget, sender=Category, dispatch_uid="reference-Category-save")
        post_delete.connect(reference_forget, sender=Category, dispatch_uid="reference-Category-delete")
