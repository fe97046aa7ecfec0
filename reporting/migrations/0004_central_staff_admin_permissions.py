"""Central staff who already have the admin group get the reporting permissions (issue 5: they edit the
mission areas and indicators). New appointments get them from cases.services.appointments."""

from django.db import migrations

GROUP = "Central staff (admin)"
WANTED = {
    "missionarea": ("view", "add", "change"),
    "indicator": ("view", "add", "change"),
    "reportingcycle": ("view",),
    "districtreport": ("view",),
}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=GROUP).first()
    if group is None:
        return  # a fresh database: the group is made with all its permissions at the first appointment
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("reporting")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model, actions in WANTED.items() for action in actions]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="reporting", codename__in=codenames)
    )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0003_closing_soon"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
