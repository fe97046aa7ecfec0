"""The default mission areas and indicators, and the deadline rules of the report's steps."""

from django.db import migrations


def define(apps, schema_editor):
    from reporting.defaults import MISSION_AREAS, STEPS

    MissionArea = apps.get_model("reporting", "MissionArea")
    Indicator = apps.get_model("reporting", "Indicator")
    for area_order, (code, name_th, name_en, indicators) in enumerate(MISSION_AREAS):
        area, _ = MissionArea.objects.get_or_create(
            code=code.lower(), defaults={"name_th": name_th, "name_en": name_en, "order": area_order}
        )
        for order, (icode, iname_th, iname_en, unit, bound, help_text) in enumerate(indicators):
            Indicator.objects.get_or_create(
                code=icode,
                defaults={
                    "area": area,
                    "name_th": iname_th,
                    "name_en": iname_en,
                    "unit": unit,
                    "upper_bound": bound,
                    "help_text": help_text,
                    "order": order,
                },
            )
    DeadlinePolicy = apps.get_model("cases", "DeadlinePolicy")
    DeadlineRule = apps.get_model("cases", "DeadlineRule")
    EscalationStep = apps.get_model("cases", "EscalationStep")
    for policy in DeadlinePolicy.objects.filter(is_active=True):
        for step, (days, reminders, ladder) in STEPS.items():
            for urgency, working_days in zip(["NORMAL", "URGENT", "VERY_URGENT", "MOST_URGENT"], days):
                rule, created = DeadlineRule.objects.get_or_create(
                    policy=policy,
                    step=step,
                    urgency=urgency,
                    defaults={"working_days": working_days, "reminders": reminders},
                )
                if created:
                    EscalationStep.objects.bulk_create(
                        EscalationStep(
                            rule=rule, level=level, after_working_days=after, target=target, may_reassign=reassign
                        )
                        for level, after, target, reassign in ladder
                    )


def undefine(apps, schema_editor):
    from reporting.defaults import STEPS

    apps.get_model("cases", "DeadlineRule").objects.filter(step__in=list(STEPS), deadlines__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_cycles"), ("cases", "0008_deadline_pool_unit")]

    operations = [migrations.RunPython(define, undefine)]
