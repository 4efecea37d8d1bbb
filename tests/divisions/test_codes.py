"""Code assignment rules (pure) and the codes the loader gave the real township/village names."""
from __future__ import annotations

import pytest

from apps.divisions import codes


@pytest.mark.parametrize("name,kind", [("武康街道", "街道"), ("新市镇", "镇"), ("莫干山镇", "镇"), ("筏头乡", "乡"),
                                       ("大箐山民族乡", "民族乡"), ("启东经济开发区", "乡级类似单位"),
                                       ("黄山风景区", "乡级类似单位")])
def test_township_kind(name: str, kind: str) -> None:
    assert codes.township_kind(name) == kind


@pytest.mark.parametrize("name,kind", [("丁桥村", "村"), ("城关社区", "社区"), ("泸阳林场生活区", "社区"), ("某村委会", "村")])
def test_village_kind(name: str, kind: str) -> None:
    assert codes.village_kind(name) == kind


def test_allocation_follows_gbt10114_ranges_in_request_order() -> None:
    reqs = [codes.CodeRequest("甲镇", "镇"), codes.CodeRequest("乙街道", "街道"), codes.CodeRequest("丙乡", "乡"),
            codes.CodeRequest("丁镇", "镇"), codes.CodeRequest("开发区", "乡级类似单位")]
    got = codes.allocate_codes("330521", reqs, codes.TOWNSHIP_RANGES, {}, [])
    assert got == {"甲镇": "330521100", "乙街道": "330521001", "丙乡": "330521200", "丁镇": "330521101",
                   "开发区": "330521400"}


def test_allocation_keeps_existing_and_never_reuses_retired_numbers() -> None:
    reqs = [codes.CodeRequest("老镇", "镇"), codes.CodeRequest("新镇", "镇")]
    # 老镇 already holds 105; 106 belonged to a retired town: the new one must get 107.
    got = codes.allocate_codes("330521", reqs, codes.TOWNSHIP_RANGES, {"老镇": "330521105"}, [105, 106])
    assert got == {"老镇": "330521105", "新镇": "330521107"}


def test_allocation_refuses_an_exhausted_range() -> None:
    with pytest.raises(codes.CodeRangeExhausted):
        codes.allocate_codes("330521", [codes.CodeRequest("x街道", "街道")], codes.TOWNSHIP_RANGES, {}, [99])


def test_village_ranges() -> None:
    reqs = [codes.CodeRequest("一村", "村"), codes.CodeRequest("一社区", "社区")]
    got = codes.allocate_codes("330521100", reqs, codes.VILLAGE_RANGES, {}, [])
    assert got == {"一村": "330521100200", "一社区": "330521100001"}


@pytest.mark.parametrize("name,kind", [("德清县", "县"), ("平湖市", "县级市"), ("南浔区", "市辖区"),
                                       ("芷江侗族自治县", "自治县"), ("鄂温克族自治旗", "自治旗"), ("神农架林区", "林区")])
def test_county_kind(name: str, kind: str) -> None:
    assert codes.county_kind(name) == kind


@pytest.mark.django_db
def test_loaded_codes_follow_the_ranges_and_are_flagged_local() -> None:
    from apps.divisions.models import Division

    towns = Division.objects.filter(level="township", parent__code="330521")
    assert towns.count() >= 10
    for town in towns:
        number = int(town.code[6:])
        low, high = codes.TOWNSHIP_RANGES[codes.township_kind(town.name)]
        assert low <= number <= high, town
        assert town.code_assigned_locally and town.code.startswith("330521")
    villages = Division.objects.filter(level="village", code__startswith="330521")
    assert villages.count() > 100
    for village in villages:
        low, high = codes.VILLAGE_RANGES[codes.village_kind(village.name)]
        assert low <= int(village.code[9:]) <= high
        assert village.code[:9] == village.parent.code
    # The real 德清县 towns are there by name.
    assert {"武康街道", "新市镇", "莫干山镇"} <= set(towns.values_list("name", flat=True))
