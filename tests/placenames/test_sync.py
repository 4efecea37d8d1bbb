"""Divisions and roads in the gazetteer follow their registers: created once, renamed with the
old name kept as a dated 曾用名, cancelled when retired; the address matcher finds them by the
old names the gazetteer holds."""
from __future__ import annotations

import datetime as dt

import pytest

from apps.addresses import services as address_services
from apps.addresses.matching import index as match_index
from apps.addresses.matching.service import geocode
from apps.divisions.models import Division
from apps.divisions.services import NewDivision, apply_change
from apps.placenames import services
from apps.placenames.models import AliasKind, PlaceName, Status
from apps.placenames.sync import sync_register_names

from ..addresses.conftest import ew_road, wukang  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
D = dt.date


def _entry(kind: str, name: str) -> PlaceName:
    return PlaceName.objects.get(register_kind=kind, name=name)


def test_every_division_and_road_gets_one_entry(deqing, ew_road) -> None:  # type: ignore[no-untyped-def]
    report = sync_register_names("330521")
    current = Division.objects.filter(valid_to__isnull=True, code__startswith="330521",
                                      level__in=["county", "township", "village"]).count()
    assert report.created["division"] == current and report.created["road"] == 1
    road = _entry("road", "测试东西路")
    assert (road.category.code, road.pinyin, road.status, road.register_key) == ("4001", "Ceshi Dongxilu", "已批准",
                                                                                  "330521:R9001")
    assert road.geometry.equals(ew_road.geometry)
    county = _entry("division", "德清县")
    assert (county.category.code, county.pinyin, county.division.name) == ("2001", "Deqing Xian", "湖州市")
    community = PlaceName.objects.filter(register_kind="division", name__endswith="社区").first()
    assert community.category.code == "3002"
    again = sync_register_names("330521")
    assert again.as_dict() == {"created": {}, "renamed": {}, "cancelled": {}, "reshaped": {}}


def test_road_rename_in_the_register_moves_the_entry(ew_road) -> None:  # type: ignore[no-untyped-def]
    sync_register_names("330521")
    address_services.rename_road(ew_road, "英才新路", D(2025, 1, 1), actor="t")
    report = sync_register_names("330521")
    assert report.renamed["road"] == 1
    entry = PlaceName.objects.get(register_key="330521:R9001")
    assert entry.name == "英才新路" and entry.pinyin == "Yingcai Xinlu"
    former = entry.aliases.get()
    assert (former.name, former.kind, former.valid_to) == ("测试东西路", AliasKind.FORMER, D(2025, 1, 1))


def test_renaming_a_road_entry_renames_the_road_and_the_matcher_finds_the_old_name(ew_road, wukang) -> None:  # type: ignore[no-untyped-def]
    address = address_services.allocate_door(ew_road, wukang.seat, actor="t", valid_from=D(2020, 1, 1))
    sync_register_names("330521")
    entry = PlaceName.objects.get(register_key="330521:R9001")
    services.rename(entry, "英才新路", on=D(2025, 1, 1), authority="德清县人民政府", document="德政地〔2025〕1号",
                    actor="clerk")
    current = ew_road.__class__.objects.get(code="R9001", valid_to__isnull=True, county=ew_road.county)
    assert current.name == "英才新路"
    assert sync_register_names("330521").renamed == {}       # already in step
    match_index.forget()
    door = f"{address.door_number}号"
    result = geocode(f"德清县武康街道测试东西路{door}")
    assert result.status == "matched" and result.best.code == address.code
    assert any(r.startswith("renamed_from") for r in result.best.reasons)
    match_index.forget()


def test_an_alias_in_the_gazetteer_reaches_the_matcher(deqing) -> None:  # type: ignore[no-untyped-def]
    sync_register_names("330521")
    village = PlaceName.objects.get(register_kind="division", name="蠡山村")
    match_index.forget()
    before = geocode("德清县钟管镇范蠡村")
    assert before.best is None or not before.best.full_text.endswith("蠡山村")
    services.add_alias(village, "范蠡村", AliasKind.FORMER, valid_to=D(1984, 1, 1), actor="clerk")
    match_index.forget()
    result = geocode("德清县钟管镇范蠡村")
    assert result.best is not None and result.best.full_text.endswith("蠡山村"), result
    match_index.forget()


def test_division_rename_and_abolition_follow(deqing) -> None:  # type: ignore[no-untyped-def]
    sync_register_names("330521")
    old = Division.objects.get(name="蠡山村", valid_to__isnull=True)
    apply_change(kind="rename", effective_date=D(2026, 1, 1), before=[old], actor="t",
                 after_new=[NewDivision(code=old.code, name="范蠡村", level="village", parent=old.parent,
                                        kind=old.kind)])
    merged_into = Division.objects.get(name="钟管村", valid_to__isnull=True)
    gone = Division.objects.get(name="青墩村", valid_to__isnull=True)
    apply_change(kind="merge", effective_date=D(2026, 1, 1), before=[gone], after_existing=[merged_into], actor="t",
                 successors_begin=False)
    report = sync_register_names("330521")
    assert report.renamed["division"] == 1 and report.cancelled["division"] == 1
    renamed = _entry("division", "范蠡村")
    assert renamed.aliases.get().name == "蠡山村" and renamed.aliases.get().valid_to == D(2026, 1, 1)
    cancelled = _entry("division", "青墩村")
    assert cancelled.status == Status.CANCELLED and cancelled.successor == _entry("division", "钟管村")


def test_sync_command(deqing) -> None:  # type: ignore[no-untyped-def]
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("sync_placenames", "330521", stdout=out)
    assert "新增" in out.getvalue() and PlaceName.objects.filter(register_kind="division").exists()
    stale = PlaceName.objects.get(register_kind="division", name="德清县")
    PlaceName.objects.filter(pk=stale.pk).update(pinyin="Deqing", pinyin_tones="Déqìng")
    out = io.StringIO()
    call_command("sync_placenames", "--romanise", stdout=out)
    assert "1 个地名的拼写有变化" in out.getvalue()
    stale.refresh_from_db()
    assert (stale.pinyin, stale.pinyin_tones) == ("Deqing Xian", "Déqīng Xiàn")
    with pytest.raises(CommandError, match="999999"):
        call_command("sync_placenames", "999999")
