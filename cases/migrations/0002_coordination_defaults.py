"""The default request categories and the deadline rules of the coordination request's steps."""

from django.db import migrations

from cases.defaults import CATEGORIES, STEPS

URGENCIES = ["NORMAL", "URGENT", "VERY_URGENT", "MOST_URGENT"]
LADDER = [
    (1, 0, "ASSIGNEE_AND_DIRECTOR", False),
    (2, 1, "PROVINCIAL_HEAD", True),
    (3, 2, "COORDINATION_CENTRE", True),
]


def define(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    for order, (code, name_th, name_en) in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={"name_th": name_th, "name_en": name_en, "order": order})
    DeadlinePolicy = apps.get_model("deadlines", "DeadlinePolicy")
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    EscalationStep = apps.get_model("deadlines", "EscalationStep")
    for policy in DeadlinePolicy.objects.filter(is_active=True):
        for step, (days, reminders, has_ladder) in STEPS.items():
            ladder = LADDER if has_ladder else []
            for urgency, working_days in zip(URGENCIES, days):
                rule, created = DeadlineRule.objects.get_or_create(
                    policy=policy,
                    step=step,
                    urgency=urgency,
                    defaults={"working_days": working_days, "reminders": reminders},
                )
                if created:
                    EscalationStep.objects.bulk_create(
                        EscalationStep(rule=rule, level=level, after_working_days=after, target=target, may_reassign=reassign)
                        for level, after, target, reassign in ladder
                    )


def undefine(apps, schema_editor):
    apps.get_model("deadlines", "DeadlineRule").objects.filter(step__in=list(STEPS), deadlines__isnull=True).delete()
    apps.get_model("cases", "Category").objects.filter(code__in=[c[0] for c in CATEGORIES], requests__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_coordination_requests"), ("deadlines", "0002_default_policy")]

    operations = [migrations.RunPython(define, undefine)]
