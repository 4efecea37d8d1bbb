"""The change-event model: renames keep history, codes are never reused, and "which division
contained this point on date D" is answered by the version in force on D."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import IntegrityError

from apps.common.errors import ConflictError, DomainRuleError
from apps.common.models import ChangeRecord
from apps.divisions.models import Division
from apps.divisions.services import NewDivision, apply_change, create_division

pytestmark = pytest.mark.django_db
SQUARE = MultiPolygon(Polygon.from_bbox((100.0, 20.0, 100.1, 20.1)), srid=4490)
RENAMED_ON = dt.date(2021, 3, 1)


@pytest.fixture
def renamed_county() -> tuple[Division, Division]:
    """A test county 旧名县 (code 469031 in an unused range) renamed 新名市 on 2021-03-01, keeping its code."""
    province = Division.objects.get(code="460000")
    old = create_division(NewDivision(name="旧名县", short_name="旧名", level="county", code="469031", kind="县",
                                      parent=province, geometry=SQUARE), actor="tester",
                          valid_from=dt.date(2000, 1, 1))
    apply_change(kind="county_to_city", effective_date=RENAMED_ON, before=[old], actor="tester",
                 after_new=[NewDivision(name="新名市", short_name="新名", level="county", code="469031",
                                        kind="县级市", parent=province, geometry=SQUARE)],
                 approval_type="民批", authority="民政部", document_no="民函〔2021〕1号")
    old.refresh_from_db()
    return old, Division.objects.get(code="469031", valid_to__isnull=True)


def test_rename_retires_the_old_version_and_links_the_new(renamed_county) -> None:  # type: ignore[no-untyped-def]
    old, new = renamed_county
    assert old.status == "retired" and old.valid_to == RENAMED_ON and old.code == "469031"
    assert new.status == "current" and new.valid_from == RENAMED_ON
    assert list(new.predecessors.all()) == [old]
    change = new.changes_in.get()
    assert change.get_kind_display() == "撤县设市" and change.document_no == "民函〔2021〕1号"
    assert Division.objects.filter(code="469031").count() == 2  # nothing deleted


def test_renamed_county_answers_by_old_and_new_name_and_by_date(api, renamed_county) -> None:  # type: ignore[no-untyped-def]
    def names(query: str) -> list[str]:
        response = api.get(f"/api/v1/divisions/?geometry=false&{query}")
        assert response.status_code == 200, response.content
        return [f["properties"]["name"] for f in response.json()["features"]]

    assert names("name=新名市") == ["新名市"]
    assert names("name=旧名县") == ["新名市"]  # an old name finds its successor today
    assert names("name=旧名县&as_of=2020-06-01") == ["旧名县"]
    assert names("name=新名市&as_of=2020-06-01") == []
    assert names("contains=100.05,20.05&level=county&as_of=2020-06-01") == ["旧名县"]
    assert names("contains=100.05,20.05&level=county") == ["新名市"]
    assert names("contains=100.05,20.05&level=county&as_of=2021-03-01") == ["新名市"]  # valid_to is exclusive
    detail = api.get("/api/v1/divisions/469031/?as_of=2020-06-01&geometry=false").json()
    assert detail["properties"]["name"] == "旧名县" and detail["properties"]["successors"][0]["name"] == "新名市"
    detail = api.get("/api/v1/divisions/469031/?geometry=false").json()
    assert detail["properties"]["former_names"][0]["name"] == "旧名县"


def test_a_code_is_never_given_to_another_division(renamed_county) -> None:  # type: ignore[no-untyped-def]
    old, new = renamed_county
    province = Division.objects.get(code="460000")
    with pytest.raises(ConflictError):
        create_division(NewDivision(name="别的县", level="county", code="469031", parent=province), actor="tester")
    # Even after the holder is abolished, the code stays its own.
    apply_change(kind="abolish", effective_date=dt.date(2022, 1, 1), before=[new], actor="tester")
    with pytest.raises(ConflictError):
        create_division(NewDivision(name="别的县", level="county", code="469031", parent=province), actor="tester")


def test_database_refuses_two_current_holders_of_a_code() -> None:
    with pytest.raises(IntegrityError):
        Division.objects.create(code="330521", name="重复", level="county")


def test_database_refuses_invalid_geometry_and_malformed_codes() -> None:
    bowtie = MultiPolygon(Polygon(((0, 0), (1, 1), (1, 0), (0, 1), (0, 0))), srid=4490)
    with pytest.raises(IntegrityError):
        Division.objects.create(code="469032", name="坏几何", level="county", geometry=bowtie)


def test_database_refuses_code_of_wrong_length() -> None:
    with pytest.raises(IntegrityError):
        Division.objects.create(code="46903", name="坏代码", level="county")


def test_a_change_cannot_retire_a_division_twice_or_go_back_in_time(renamed_county) -> None:  # type: ignore[no-untyped-def]
    old, new = renamed_county
    with pytest.raises(DomainRuleError):
        apply_change(kind="rename", effective_date=dt.date(2022, 1, 1), before=[old], actor="tester")
    with pytest.raises(DomainRuleError):
        apply_change(kind="rename", effective_date=dt.date(2020, 1, 1), before=[new], actor="tester")


def test_merge_moves_current_children_and_history_records_the_actor() -> None:
    county = Division.objects.get(code="330521", valid_to__isnull=True)
    towns = list(Division.objects.filter(parent=county, level="township").order_by("code")[:2])
    children = set(Division.objects.filter(parent__in=towns).values_list("pk", flat=True))
    change = apply_change(kind="merge", effective_date=dt.date(2025, 6, 1), before=towns, actor="张三",
                          after_new=[NewDivision(name="合并镇", level="township", code="330521150", kind="镇",
                                                 parent=county)])
    merged = change.after.get()
    assert set(merged.children.values_list("pk", flat=True)) == children
    assert set(merged.predecessors.all()) == set(towns)
    record = ChangeRecord.objects.filter(table_name="divisions_division", row_id=str(towns[0].pk), action="U").first()
    assert record.actor == "张三"
    assert record.before["valid_to"] is None and record.after["valid_to"] == "2025-06-01"
