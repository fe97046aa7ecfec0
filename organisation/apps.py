"""Provinces, districts, units, officers, their roles and assignments, the directory."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models import Model
        from django.db.models.signals import post_delete, post_save

        from organisation.cached import reference_forget, watch_work_writes
        from organisation.models import (
            ActingDeputy,
            District,
            DistrictAssignment,
            Officer,
            Province,
            RoleAssignment,
            Unit,
        )
        from organisation.selectors.directory import directory_forget
        from organisation.selectors.roles import scopes_forget

        # Every write to the requests, the reports and their tasks renews the work's stamp (organisation/cached.py).
        connection_created.connect(watch_work_writes, dispatch_uid="work-writes")
        # Imported here: models exist only once the apps are ready. A person's cached scope (every page's
        # menu and rights) is forgotten when what it is made of changes.
        for model in (RoleAssignment, ActingDeputy, Officer, Province, Unit):
            post_save.connect(scopes_forget, sender=model, dispatch_uid=f"scope-{model.__name__}-save")
            post_delete.connect(scopes_forget, sender=model, dispatch_uid=f"scope-{model.__name__}-delete")
        # Every province's held directory (organisation/selectors/directory.py): its people, roles, districts.
        held: tuple[type[Model], ...] = (
            RoleAssignment,
            ActingDeputy,
            Officer,
            Province,
            Unit,
            District,
            DistrictAssignment,
        )
        for part in held:
            post_save.connect(directory_forget, sender=part, dispatch_uid=f"directory-{part.__name__}-save")
            post_delete.connect(
                directory_forget, sender=part, dispatch_uid=f"directory-{part.__name__}-delete"
            )
        # The reference data held in each process (organisation/cached.py): the directory's units and provinces,
        # the districts, units and provinces a request list names.
        reference_data: tuple[type[Model], ...] = (Unit, Province, District)
        for held_model in reference_data:
            post_save.connect(
                reference_forget, sender=held_model, dispatch_uid=f"reference-{held_model.__name__}-save"
            )
            post_delete.connect(
                reference_forget, sender=held_model, dispatch_uid=f"reference-{held_model.__name__}-delete"
            )
