"""The default mission areas and indicators, and the deadline rules of the report's steps."""

from django.db import migrations


def define(apps, schema_editor):
    from reporting.defaults import load_defaults

    load_defaults(apps.get_model)


def undefine(apps, schema_editor):
    from reporting.defaults import STEPS

    apps.get_model("deadlines", "DeadlineRule").objects.filter(step__in=list(STEPS), deadlines__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_reporting"), ("deadlines", "0002_default_policy")]

    operations = [migrations.RunPython(define, undefine)]
