"""Issue 11: late is against the report's own deadline (the extended one when there is an extension), and a
first submission within an extension is recorded as such (the issue-5 rule, late against the cycle's
original deadline, is replaced: the reports and their timelines are recomputed). A value's confirmation
("the value is correct") is kept with it. The closing-soon notice is recorded per province and cycle."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, Q


def recompute_lateness(apps, schema_editor):
    DistrictReport = apps.get_model("reporting", "DistrictReport")
    TimelineEntry = apps.get_model("deadlines", "TimelineEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    submitted = DistrictReport.objects.exclude(submitted_at=None)
    submitted.update(late=False, within_extension=False)
    submitted.filter(submitted_at__gt=F("due_at")).update(late=True)
    submitted.filter(Q(submitted_at__gt=F("cycle__due_at")), Q(submitted_at__lte=F("due_at"))).update(
        within_extension=True
    )
    report_type = ContentType.objects.filter(app_label="reporting", model="districtreport").first()
    if report_type is None:
        return
    flags = {
        pk: (late, within)
        for pk, late, within in DistrictReport.objects.filter(
            Q(late=True) | Q(within_extension=True)
        ).values_list("pk", "late", "within_extension")
    }
    entries = TimelineEntry.objects.filter(
        case_type=report_type, kind="STEP", data__event="report_submitted", data__late=True
    )
    for entry in entries:
        late, within = flags.get(entry.case_id, (False, False))
        entry.data = {**entry.data, "late": late, "within_extension": within}
        entry.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_default_mission_areas"),
        ("deadlines", "0002_default_policy"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("organisation", "0001_organisation"),
    ]

    operations = [
        migrations.AddField(
            model_name="districtreport",
            name="within_extension",
            field=models.BooleanField(default=False, verbose_name="submitted within an extension"),
        ),
        migrations.RunPython(recompute_lateness, migrations.RunPython.noop),
        migrations.AddField(
            model_name="reportvalue",
            name="confirmed",
            field=models.BooleanField(default=False, verbose_name="confirmed as correct"),
        ),
        migrations.RemoveField(model_name="reportingcycle", name="closing_soon_sent_at"),
        migrations.CreateModel(
            name="ClosingSoonNotice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("closes_at", models.DateTimeField()),
                ("missing", models.PositiveIntegerField()),
                ("sent_at", models.DateTimeField()),
                (
                    "cycle",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="closing_soon_notices",
                        to="reporting.reportingcycle",
                    ),
                ),
                (
                    "province",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="organisation.province",
                    ),
                ),
            ],
            options={
                "verbose_name": "closing-soon notice",
                "verbose_name_plural": "closing-soon notices",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("cycle", "province"), name="one_closing_soon_per_province"
                    )
                ],
            },
        ),
    ]
