import geothai
import pytest

from organisation.models import District, Province, ReferenceDataVersion, Unit
from organisation.services.geography import geography_load

pytestmark = pytest.mark.django_db


def test_reference_data_has_77_provinces_and_928_districts_878_outside_bangkok() -> None:
    assert Province.objects.count() == 77
    assert District.objects.count() == 928
    assert District.objects.outside_bangkok().count() == 878
    assert Province.objects.outside_bangkok().count() == 76
    assert District.objects.filter(province__code="10", name_th__startswith="เขต").count() == 50


def test_districts_carry_dopa_codes_and_both_names() -> None:
    mueang_chiang_mai = District.objects.get(code="5001")
    assert mueang_chiang_mai.province.code == "50"
    assert mueang_chiang_mai.name_th == "เมืองเชียงใหม่"
    assert mueang_chiang_mai.name_en == "Mueang Chiang Mai"
    assert mueang_chiang_mai.display_name == "อำเภอเมืองเชียงใหม่"


def test_each_province_outside_bangkok_has_an_office_and_a_coordination_group() -> None:
    assert Unit.objects.filter(kind=Unit.Kind.PROVINCIAL_OFFICE).count() == 76
    assert Unit.objects.filter(kind=Unit.Kind.COORDINATION_GROUP).count() == 76
    assert not Unit.objects.filter(province__code="10").exists()
    group = Unit.objects.get(kind=Unit.Kind.COORDINATION_GROUP, province__code="50")
    assert group.parent == Unit.objects.get(kind=Unit.Kind.PROVINCIAL_OFFICE, province__code="50")
    assert Unit.objects.filter(kind=Unit.Kind.COORDINATION_CENTRE).count() == 1


def test_reload_is_idempotent_and_keeps_edits_to_central_units() -> None:
    bureau = Unit.objects.get(code="local-finance")
    bureau.name_th = "สำนักบริหารการคลังท้องถิ่น (แก้ไขแล้ว)"
    bureau.save()
    counts = (Province.objects.count(), District.objects.count(), Unit.objects.count())

    report = geography_load()

    assert not report.changed
    assert (Province.objects.count(), District.objects.count(), Unit.objects.count()) == counts
    assert Unit.objects.get(code="local-finance").name_th.endswith("(แก้ไขแล้ว)")


def test_reload_repairs_a_changed_name_and_records_the_data_version() -> None:
    District.objects.filter(code="5001").update(name_th="ผิด")

    report = geography_load()

    assert report.districts_updated == 1
    assert District.objects.get(code="5001").name_th == "เมืองเชียงใหม่"
    assert ReferenceDataVersion.objects.get(source="geothai").version == geothai.DATA_VERSION


def test_provinces_carry_their_official_abbreviations() -> None:
    assert Province.objects.get(code="50").abbreviation == "ชม."
    assert Province.objects.get(code="10").abbreviation == "กทม."
    assert not Province.objects.filter(abbreviation="").exists()
