from django.db import migrations


def create_default_policy(apps, schema_editor):
    DeadlinePolicy = apps.get_model("deadlines", "DeadlinePolicy")
    if not DeadlinePolicy.objects.exists():
        DeadlinePolicy.objects.create(
            version=1,
            name="นโยบายกำหนดเวลาเริ่มต้น",
            is_active=True,
            note="เตือนล่วงหน้า 1 วันทำการ และเช้าวันครบกำหนด; ยกระดับ: ผอ.กง.ทอ. เมื่อครบกำหนด, "
            "ท้องถิ่นจังหวัด 1 วันทำการต่อมา, ศูนย์ประสานงานฯ 2 วันทำการหลังครบกำหนด",
        )


def remove_default_policy(apps, schema_editor):
    apps.get_model("deadlines", "DeadlinePolicy").objects.filter(version=1, rules__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_engine")]

    operations = [migrations.RunPython(create_default_policy, remove_default_policy)]
