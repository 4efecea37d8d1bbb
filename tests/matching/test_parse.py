"""Parsing messy address texts against a small, realistic gazetteer (pure: no database)."""
from __future__ import annotations

import csv
import itertools
import random
from pathlib import Path
from typing import Any

import pytest

from apps.addresses.components import Components, build_full_text
from apps.addresses.matching.gazetteer import AliasRecord, DivisionRecord, Gazetteer, derive_short_name
from apps.addresses.matching.parse import ParsedAddress, parse, parse_components_only

DIVISIONS = [
    DivisionRecord("330000", "浙江省", "浙江", "province"),
    DivisionRecord("330500", "湖州市", "湖州", "prefecture", "330000"),
    DivisionRecord("330521", "德清县", "德清", "county", "330500"),
    DivisionRecord("330503", "南浔区", "南浔", "county", "330500"),
    DivisionRecord("330521002", "武康街道", "", "township", "330521"),
    DivisionRecord("330521004", "阜溪街道", "", "township", "330521"),
    DivisionRecord("330521101", "乾元镇", "", "township", "330521"),
    DivisionRecord("330521102", "新市镇", "", "township", "330521"),
    DivisionRecord("330521002002", "五龙社区", "", "village", "330521002"),
    DivisionRecord("330521002201", "三里桥村", "", "village", "330521002"),
    DivisionRecord("330521102201", "蔡界村", "", "village", "330521102"),
    DivisionRecord("330521102202", "八里店村", "", "village", "330521102"),
    DivisionRecord("320000", "江苏省", "江苏", "province"),
    DivisionRecord("320600", "南通市", "南通", "prefecture", "320000"),
    DivisionRecord("320681", "启东市", "启东", "county", "320600"),
    DivisionRecord("320100", "南京市", "南京", "prefecture", "320000"),
    DivisionRecord("320106", "鼓楼区", "鼓楼", "county", "320100"),
    DivisionRecord("350000", "福建省", "福建", "province"),
    DivisionRecord("350100", "福州市", "福州", "prefecture", "350000"),
    DivisionRecord("350102", "鼓楼区", "鼓楼", "county", "350100"),
]
ROADS = [
    ("R0001", "英溪南路", "330521002"), ("R0002", "武康东路", "330521002"), ("R0003", "千秋街", "330521002"),
    ("R0004", "长虹中路", "330521004"), ("R0005", "十字街", "330521102"), ("R0006", "二号桥路", "330521102"),
    ("R0007", "人民路", "330521002"), ("R0008", "人民路", "330521102"),
]
AREAS = [
    {"code": "A0001", "name": "阳光花园", "kind": "小区", "village_code": "330521002002"},
    {"code": "A0002", "name": "第三村民小组", "kind": "村民小组", "village_code": "330521102201"},
    {"code": "A0003", "name": "张家埭", "kind": "自然村", "village_code": "330521102201"},
]
ALIASES = [AliasRecord("城关镇", "330521002", True), AliasRecord("武康镇", "330521002", True),
           AliasRecord("英溪路", "R0001", False)]
GAZ = Gazetteer(DIVISIONS, ROADS, AREAS, ALIASES, home_county="330521")

ZJ = dict(province="浙江省", prefecture="湖州市", county="德清县")  # the levels above a 德清 township


def summary(p: ParsedAddress) -> dict[str, Any]:
    """What the text said: recognised (not inferred) names — with "?" when unresolved — the
    numbers, the outside flag and the leftovers."""
    out: dict[str, Any] = {}
    for level in ("province", "prefecture", "county", "township", "village", "road", "area"):
        c = getattr(p, level)
        if c is not None and not c.inferred:
            out[level] = c.name if c.code else c.name + "?"
    for key in ("lane", "group", "door_number", "door_suffix", "building", "unit", "floor", "room"):
        value = getattr(p, key)
        if value not in ("", None, 0):
            out[key] = value
    if p.outside_county:
        out["outside"] = True
    if p.leftovers:
        out["left"] = p.leftovers
    return out


# (messy text, expected summary)
CASES: list[tuple[str, dict[str, Any]]] = [
    # --- standard texts ----------------------------------------------------------------------
    ("浙江省湖州市德清县武康街道英溪南路8号", dict(**ZJ, township="武康街道", road="英溪南路", door_number=8)),
    ("浙江省湖州市德清县武康街道英溪南路8号阳光花园3幢2单元502室",
     dict(**ZJ, township="武康街道", road="英溪南路", area="阳光花园", door_number=8, building="3", unit="2", room="502")),
    ("浙江省湖州市德清县新市镇蔡界村3组12号",
     dict(**ZJ, township="新市镇", village="蔡界村", area="3组", group=3, door_number=12)),
    ("浙江省湖州市德清县武康街道英溪南路8-1号", dict(**ZJ, township="武康街道", road="英溪南路", door_number=8, door_suffix=1)),
    ("浙江省湖州市德清县新市镇蔡界村张家埭12号", dict(**ZJ, township="新市镇", village="蔡界村", area="张家埭", door_number=12)),
    # --- missing levels -----------------------------------------------------------------------
    ("湖州市德清县武康街道英溪南路8号", dict(prefecture="湖州市", county="德清县", township="武康街道", road="英溪南路",
                                       door_number=8)),
    ("德清县武康街道英溪南路8号", dict(county="德清县", township="武康街道", road="英溪南路", door_number=8)),
    ("浙江省湖州市英溪南路8号", dict(province="浙江省", prefecture="湖州市", road="英溪南路", door_number=8)),
    ("德清县英溪南路8号", dict(county="德清县", road="英溪南路", door_number=8)),
    ("英溪南路8号", dict(road="英溪南路", door_number=8)),
    ("武康街道阳光花园3幢2单元502室", dict(township="武康街道", area="阳光花园", building="3", unit="2", room="502")),
    ("阳光花园3幢2单元502室", dict(area="阳光花园", building="3", unit="2", room="502")),
    ("新市镇蔡界村3组12号", dict(township="新市镇", village="蔡界村", area="3组", group=3, door_number=12)),
    ("蔡界村3组12号", dict(village="蔡界村", area="3组", group=3, door_number=12)),
    ("浙江省湖州市", dict(province="浙江省", prefecture="湖州市")),
    # --- extra levels and repetitions ---------------------------------------------------------
    ("中国浙江省湖州市德清县武康街道五龙社区英溪南路8号",
     dict(**ZJ, township="武康街道", village="五龙社区", road="英溪南路", door_number=8)),
    ("德清县德清县英溪南路8号", dict(county="德清县", road="英溪南路", door_number=8)),
    ("地址：浙江省湖州市德清县英溪南路8号", dict(**ZJ, road="英溪南路", door_number=8)),
    # --- short names -------------------------------------------------------------------------
    ("浙江湖州德清武康英溪南路8号", dict(**ZJ, township="武康街道", road="英溪南路", door_number=8)),
    ("德清英溪南路8号", dict(county="德清县", road="英溪南路", door_number=8)),
    ("湖州德清新市蔡界村12号", dict(prefecture="湖州市", county="德清县", township="新市镇", village="蔡界村",
                               door_number=12)),
    ("新市蔡界3组12号", dict(township="新市镇", village="蔡界村", area="3组", group=3, door_number=12)),
    ("蔡界3组12号", dict(village="蔡界村", area="3组", group=3, door_number=12)),
    ("五龙阳光花园3幢", dict(village="五龙社区", area="阳光花园", building="3")),
    ("德清", dict(county="德清县")),
    ("武康", dict(left=["武康"])),  # a short township name alone is too weak
    # --- committees, old names, aliases --------------------------------------------------------
    ("新市镇蔡界村委会3组12号", dict(township="新市镇", village="蔡界村", area="3组", group=3, door_number=12)),
    ("蔡界村村民委员会第三组", dict(village="蔡界村", area="3组", group=3)),
    ("五龙社区居委会阳光花园3幢", dict(village="五龙社区", area="阳光花园", building="3")),
    ("五龙居委会阳光花园3幢", dict(village="五龙社区", area="阳光花园", building="3")),
    ("武康街道办事处英溪南路8号", dict(township="武康街道", road="英溪南路", door_number=8)),
    ("武康办事处英溪南路8号", dict(township="武康街道", road="英溪南路", door_number=8)),
    ("城关镇英溪南路8号", dict(township="武康街道", road="英溪南路", door_number=8)),
    ("德清县武康镇英溪路8号", dict(county="德清县", township="武康街道", road="英溪南路", door_number=8)),
    # --- swapped order ------------------------------------------------------------------------
    ("英溪南路8号 武康街道", dict(township="武康街道", road="英溪南路", door_number=8)),
    ("英溪南路8号武康街道德清县", dict(county="德清县", township="武康街道", road="英溪南路", door_number=8)),
    ("阳光花园3幢502室英溪南路8号", dict(road="英溪南路", area="阳光花园", door_number=8, building="3", room="502")),
    ("蔡界村3组12号新市镇", dict(township="新市镇", village="蔡界村", area="3组", group=3, door_number=12)),
    # --- full-width and traditional -------------------------------------------------------------
    ("英溪南路８号", dict(road="英溪南路", door_number=8)),
    ("阳光花园３幢２单元５０２室", dict(area="阳光花园", building="3", unit="2", room="502")),
    ("德清縣武康街道英溪南路8號陽光花園3棟2單元502室",
     dict(county="德清县", township="武康街道", road="英溪南路", area="阳光花园", door_number=8, building="3", unit="2",
          room="502")),
    ("德清縣新市鎮蔡界村3組12號", dict(county="德清县", township="新市镇", village="蔡界村", area="3组", group=3,
                                  door_number=12)),
    ("乾元鎮", dict(township="乾元镇")),
    ("長虹中路8號", dict(road="长虹中路", door_number=8)),
    # --- Chinese numerals --------------------------------------------------------------------
    ("英溪南路十八号", dict(road="英溪南路", door_number=18)),
    ("英溪南路一百零二号", dict(road="英溪南路", door_number=102)),
    ("英溪南路八号之一", dict(road="英溪南路", door_number=8, door_suffix=1)),
    ("阳光花园三幢二单元五〇二室", dict(area="阳光花园", building="3", unit="2", room="502")),
    ("阳光花园三栋二单元五零二", dict(area="阳光花园", building="3", unit="2", room="502")),
    ("阳光花园三号楼五楼五〇二", dict(area="阳光花园", building="3", floor=5, room="502")),
    ("蔡界村第三组十二号", dict(village="蔡界村", area="3组", group=3, door_number=12)),
    ("蔡界村三组", dict(village="蔡界村", area="3组", group=3)),
    ("新市镇蔡界村第三村民小组12号", dict(township="新市镇", village="蔡界村", area="3组", group=3, door_number=12)),
    # --- numerals inside names ---------------------------------------------------------------
    ("三里桥村十二号", dict(village="三里桥村", door_number=12)),
    ("八里店村五组八号", dict(village="八里店村", area="5组?", group=5, door_number=8)),
    ("千秋街十八号", dict(road="千秋街", door_number=18)),
    ("十字街三号", dict(road="十字街", door_number=3)),
    ("二号桥路五号", dict(road="二号桥路", door_number=5)),
    ("五龙社区", dict(village="五龙社区")),
    # --- building / unit / floor / room forms ------------------------------------------------
    ("英溪南路8号3-2-502", dict(road="英溪南路", door_number=8, building="3", unit="2", room="502")),
    ("英溪南路8号3栋2单元502", dict(road="英溪南路", door_number=8, building="3", unit="2", room="502")),
    ("英溪南路8号3号楼2单元502室", dict(road="英溪南路", door_number=8, building="3", unit="2", room="502")),
    ("阳光花园3#2-502", dict(area="阳光花园", building="3", unit="2", room="502")),
    ("阳光花园3-502", dict(area="阳光花园", building="3", room="502")),
    ("阳光花园3单元502", dict(area="阳光花园", unit="3", room="502")),
    ("阳光花园A座1201室", dict(area="阳光花园", building="A", room="1201")),
    ("阳光花园3幢2单元12楼1201", dict(area="阳光花园", building="3", unit="2", floor=12, room="1201")),
    ("阳光花园3幢地下1层", dict(area="阳光花园", building="3", floor=-1)),
    ("英溪南路8号502", dict(road="英溪南路", door_number=8, room="502")),
    ("英溪南路8-3-502", dict(road="英溪南路", door_number=8, building="3", room="502")),
    ("英溪南路8-1", dict(road="英溪南路", door_number=8, door_suffix=1)),
    ("英溪南路8号附1号", dict(road="英溪南路", door_number=8, door_suffix=1)),
    ("英溪南路12弄3号", dict(road="英溪南路", lane="12弄", door_number=3)),
    ("蔡界村3组12-1", dict(village="蔡界村", area="3组", group=3, door_number=12, door_suffix=1)),
    ("502室", dict(room="502")),
    # --- whitespace, punctuation, brackets ---------------------------------------------------
    ("浙江省, 湖州市, 德清县, 武康街道, 英溪南路 8 号", dict(**ZJ, township="武康街道", road="英溪南路", door_number=8)),
    ("英溪南路8号、阳光花园、3幢", dict(road="英溪南路", area="阳光花园", door_number=8, building="3")),
    ("英溪南路8号（阳光花园）3幢", dict(road="英溪南路", area="阳光花园", door_number=8, building="3")),
    ("英溪南路8号（原城关镇）", dict(road="英溪南路", door_number=8)),
    ("英溪南路No.8", dict(road="英溪南路", door_number=8)),
    ("英溪南路#8", dict(road="英溪南路", door_number=8)),
    ("阳光花园 3 2 502", dict(area="阳光花园", building="3", unit="2", room="502")),
    # --- location noise ----------------------------------------------------------------------
    ("英溪南路8号附近", dict(road="英溪南路", door_number=8)),
    ("英溪南路8号对面", dict(road="英溪南路", door_number=8)),
    ("阳光花园旁", dict(area="阳光花园")),
    ("英溪南路8号往东50米", dict(road="英溪南路", door_number=8)),
    ("英溪南路与武康东路交叉口", dict(road="英溪南路")),
    ("武康街道英溪南路8号阳光花园3幢2单元502室附近",
     dict(township="武康街道", road="英溪南路", area="阳光花园", door_number=8, building="3", unit="2", room="502")),
    # --- phone numbers and names -------------------------------------------------------------
    ("英溪南路8号 张三 13812345678", dict(road="英溪南路", door_number=8)),
    ("张三 13812345678 德清县英溪南路8号", dict(county="德清县", road="英溪南路", door_number=8)),
    ("阳光花园3幢502室张三13812345678", dict(area="阳光花园", building="3", room="502")),
    ("英溪南路8号，联系电话：0572-8012345", dict(road="英溪南路", door_number=8)),
    ("收件人：李四，英溪南路8号", dict(road="英溪南路", door_number=8)),
    ("英溪南路8号王先生", dict(road="英溪南路", door_number=8)),
    ("蔡界村3组12号 张三", dict(village="蔡界村", area="3组", group=3, door_number=12, left=["张三"])),
    # --- registers and ambiguity -------------------------------------------------------------
    ("人民路8号", dict(road="人民路?", door_number=8)),  # two 人民路 in 德清
    ("新市镇人民路8号", dict(township="新市镇", road="人民路", door_number=8)),
    ("武康街道人民路8号", dict(township="武康街道", road="人民路", door_number=8)),
    ("武康街道长虹中路8号", dict(township="武康街道", road="长虹中路", door_number=8)),  # roads cross township lines
    ("武康街道金色家园3幢502", dict(township="武康街道", area="金色家园?", building="3", room="502")),
    ("武康街道春晖路8号", dict(township="武康街道", road="春晖路?", door_number=8)),
    ("新市镇某某村5组12号", dict(township="新市镇", area="5组?", group=5, door_number=12, left=["某某村"])),
    # --- outside the home county -------------------------------------------------------------
    ("江苏省南通市启东市汇龙镇人民路8号", dict(province="江苏省", prefecture="南通市", county="启东市", road="人民路?",
                                       door_number=8, outside=True, left=["汇龙镇"])),
    ("江苏省南通市启东市英溪南路8号", dict(province="江苏省", prefecture="南通市", county="启东市", road="英溪南路?",
                                     door_number=8, outside=True)),
    ("启东市人民路8号", dict(county="启东市", road="人民路?", door_number=8, outside=True)),
    ("湖州市南浔区人民路8号", dict(prefecture="湖州市", county="南浔区", road="人民路?", door_number=8, outside=True)),
    ("鼓楼区中山路8号", dict(county="鼓楼区?", road="中山路?", door_number=8, outside=True)),
    ("南京市鼓楼区中山路8号", dict(prefecture="南京市", county="鼓楼区", road="中山路?", door_number=8, outside=True)),
    ("江苏省英溪南路8号", dict(road="英溪南路", door_number=8, left=["江苏省"])),  # conflict: the road wins
]


@pytest.mark.parametrize("text, expected", CASES)
def test_parse(text: str, expected: dict[str, Any]) -> None:
    assert summary(parse(text, GAZ)) == expected


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 80


# --- codes, inference, corrections, spans ----------------------------------------------------

def test_codes_and_inferred_levels() -> None:
    p = parse("英溪南路8号阳光花园3幢2单元502室", GAZ)
    assert [(c.name, c.code, c.inferred) for c in p.divisions()] == [
        ("浙江省", "330000", True), ("湖州市", "330500", True), ("德清县", "330521", True),
        ("武康街道", "330521002", True), ("五龙社区", "330521002002", True)]
    assert (p.road.code, p.area.code, p.area.kind) == ("R0001", "A0001", "小区")
    assert p.division_code == "330521002002"
    assert not p.outside_county


def test_group_area_is_resolved_in_its_village() -> None:
    p = parse("新市镇蔡界村3组12号", GAZ)
    assert (p.area.name, p.area.code, p.group) == ("3组", "A0002", 3)
    assert parse("八里店村3组12号", GAZ).area.code is None  # another village's 3组 is not registered


def test_ambiguous_road_keeps_what_its_candidates_share() -> None:
    p = parse("人民路8号", GAZ)
    assert p.road.code is None and p.road.candidates == ("R0007", "R0008")
    assert p.county.code == "330521" and p.county.inferred and p.township is None
    assert p.notes == ["人民路: 同名2处，无法确定 (R0007、R0008)"]


def test_ambiguous_county_is_resolved_by_its_prefecture() -> None:
    assert parse("鼓楼区", GAZ).county.candidates == ("320106", "350102")
    p = parse("福州鼓楼区", GAZ)
    assert (p.county.code, p.prefecture.code, p.province.code) == ("350102", "350100", "350000")
    assert p.province.inferred


def test_soft_road_township_mismatch_is_noted() -> None:
    p = parse("武康街道长虹中路8号", GAZ)
    assert p.road.code == "R0004" and p.township.code == "330521002"
    assert p.notes == ["长虹中路 登记在 阜溪街道，与 武康街道 不同"]


def test_corrections() -> None:
    p = parse("德清武康英溪南路十八号3栋 附近", GAZ)
    assert p.corrections == ["删除 附近", "十八号→18号", "3栋→3幢", "德清→德清县", "武康→武康街道"]
    p = parse("新市镇蔡界村委会第三组12號", GAZ)
    assert p.corrections == ["號→号", "村委会→村", "第三组→3组"]
    assert parse("五龙居委会", GAZ).corrections == ["五龙居委会→五龙社区"]
    assert parse("城关镇英溪南路8号", GAZ).corrections == ["城关镇→武康街道"]
    assert parse("英溪路8号", GAZ).corrections == ["英溪路→英溪南路"]
    assert parse("英溪南路8号 武康街道", GAZ).corrections == ["语序调整: 武康街道"]
    assert parse("德清县德清县英溪南路8号", GAZ).corrections == ["删除 重复的德清县"]


def test_spans_index_the_normalized_text() -> None:
    p = parse("德清縣 英溪南路８號 3棟", GAZ)
    assert p.normalized == "德清县英溪南路8号3幢"
    assert (p.county.span, p.county.text) == ((0, 3), "德清县")
    assert (p.road.span, p.road.text) == ((3, 7), "英溪南路")
    assert p.spans == {"door": (7, 9), "building": (9, 11)}
    assert p.township.span is None and p.township.inferred


def test_conflicting_level_is_noted_and_left_over() -> None:
    p = parse("浙江省南通市启东市", GAZ)
    assert (p.province.name, p.province.inferred, p.outside_county) == ("江苏省", True, True)
    assert p.leftovers == ["浙江省"] and p.notes == ["忽略 浙江省: 与其他层级不一致"]


def test_parse_components_only() -> None:
    p = parse_components_only("浙江省湖州市德清县英溪南路十八号阳光花园三栋二单元五〇二 张三 13812345678")
    assert p.normalized == "浙江省湖州市德清县英溪南路18号阳光花园3幢2单元502室"
    assert (p.door_number, p.building, p.unit, p.room) == (18, "3", "2", "502")
    assert p.road.name == "浙江省湖州市德清县英溪南路"[9:] and p.road.code is None
    assert p.area.name == "阳光花园" and p.area.code is None
    assert p.leftovers == ["浙江省湖州市德清县"]
    p = parse_components_only("蔡界村第三组十二号")
    assert (p.group, p.door_number, p.area.name) == (3, 12, "3组")
    assert parse_components_only("3-2-502").as_dict() == {"building": "3", "unit": "2", "room": "502"}


# --- gazetteer ------------------------------------------------------------------------------

def test_gazetteer_name_forms() -> None:
    assert GAZ.lookup("德清") == [(GAZ.division("330521"), "short")]
    assert GAZ.lookup("德清县") == [(GAZ.division("330521"), "full")]
    assert GAZ.lookup("武康") == [(GAZ.division("330521002"), "short")]
    assert GAZ.lookup("蔡界") == [(GAZ.division("330521102201"), "short")]
    assert GAZ.lookup("蔡界村委会") == [(GAZ.division("330521102201"), "full")]  # normalised to 蔡界村
    assert GAZ.lookup("五龙居委会") == [(GAZ.division("330521002002"), "committee")]
    assert GAZ.lookup("武康镇") == [(GAZ.division("330521002"), "renamed")]
    assert [e.code for e, _ in GAZ.lookup("鼓楼区")] == ["320106", "350102"]
    assert GAZ.lookup("第三组") == []  # villager groups are kept aside
    assert GAZ.group("330521102201", 3).code == "A0002"


def test_gazetteer_hierarchy() -> None:
    assert [e.name for e in GAZ.chain("330521102201")] == ["浙江省", "湖州市", "德清县", "新市镇", "蔡界村"]
    assert GAZ.is_within("330521102201", "330500") and not GAZ.is_within("330500", "330521102201")
    assert GAZ.related("330521", "330521102") and not GAZ.related("330521", "320681")
    assert GAZ.county_of("330521102201") == "330521"


def test_gazetteer_derives_levels_and_parents_from_codes() -> None:
    gaz = Gazetteer([("330000", "浙江省"), ("330500", "湖州市"), ("330521", "德清县"), ("330521102", "新市镇"),
                     ("330521102201", "蔡界村")])
    assert [(e.level, e.parent) for e in gaz.chain("330521102201")] == [
        ("province", None), ("prefecture", "330000"), ("county", "330500"), ("township", "330521"),
        ("village", "330521102")]


def test_gazetteer_municipality_code_repeated_as_province_and_prefecture() -> None:
    gaz = Gazetteer([("310000", "上海市", "上海", "province", None), ("310000", "上海市", "上海", "city", "310000"),
                     ("310114", "嘉定区", "嘉定", "county", "310000")])
    assert [e.level for e in gaz.chain("310114")] == ["province", "county"]
    p = parse("上海市嘉定区某某路8号", gaz)
    assert (p.province.name, p.county.name, p.road.name, p.door_number) == ("上海市", "嘉定区", "某某路", 8)


@pytest.mark.parametrize("name, level, short", [
    ("德清县", "county", "德清"), ("湖州市", "prefecture", "湖州"), ("浙江省", "province", "浙江"),
    ("广西壮族自治区", "province", "广西"), ("武康街道", "township", "武康"), ("新市镇", "township", "新市"),
    ("蔡界村", "village", "蔡界"), ("五龙社区", "village", "五龙"), ("和县", "county", ""), ("城关镇", "township", "城关"),
])
def test_derive_short_name(name: str, level: str, short: str) -> None:
    assert derive_short_name(name, level) == short


def test_gazetteer_accepts_dicts_tuples_and_objects() -> None:
    class Road:
        code, name, township_code = "R0009", "科源路", "330521002"
    gaz = Gazetteer([{"code": "330521002", "name": "武康街道", "level": "township"}], [Road()])
    assert [h.entry.code for h in gaz.scan("武康街道科源路")] == ["330521002", "330521002", "R0009"]


# --- properties -------------------------------------------------------------------------------

def _standard_components() -> list[Components]:
    urban = ["330000", "330500", "330521", "330521002"]
    names = {"330000": "浙江省", "330500": "湖州市", "330521": "德清县", "330521002": "武康街道", "330521102": "新市镇",
             "330521102201": "蔡界村"}
    out = []
    for road, door, suffix, (building, unit, room) in itertools.product(
            ["英溪南路", "武康东路", "千秋街"], [1, 8, 18, 102], [0, 1],
            [("", "", ""), ("3", "", ""), ("3", "2", "502"), ("12", "1", "1201"), ("A", "", "")]):
        out.append(Components("330521002002", "R0001", door, suffix, building, unit, room,
                              division_names=[names[c] for c in urban], road_name=road,
                              area_name="阳光花园" if building else ""))
    rural = [names[c] for c in ("330000", "330500", "330521", "330521102", "330521102201")]
    for group, door, suffix in itertools.product([3], [1, 12, 99], [0, 2]):
        out.append(Components("330521102201", "A0002", door, suffix, division_names=rural,
                              area_name=f"{group}组", area_is_group=True))
    out.append(Components("330521102201", "A0003", 12, division_names=["浙江省", "湖州市", "德清县", "新市镇", "蔡界村"],
                          area_name="张家埭"))
    return out


@pytest.mark.parametrize("c", _standard_components(), ids=build_full_text)
def test_standard_texts_parse_back_exactly(c: Components) -> None:
    text = build_full_text(c)
    p = parse(text, GAZ)
    assert p.normalized == text and p.corrections == [] and p.leftovers == [] and p.notes == []
    assert [d.name for d in p.divisions() if not d.inferred] == c.division_names
    assert (p.road.name if p.road else "") == c.road_name
    assert (p.area.name if p.area else "") == c.area_name
    assert (p.door_number, p.door_suffix, p.building, p.unit, p.room) == (
        c.door_number, c.door_suffix, c.building, c.unit, c.room)
    assert p.standard_text() == text
    assert not p.outside_county


@pytest.mark.parametrize("text, expected", CASES)
def test_parse_is_stable_under_renormalisation(text: str, expected: dict[str, Any]) -> None:
    """Parsing the normalised text gives the same components as parsing the original."""
    first = parse(text, GAZ)
    again = parse(first.normalized, GAZ)
    assert again.normalized == first.normalized
    assert summary(again) == summary(first)


# --- national scale: the repo's seed lists (every province/prefecture/county + 12 counties' ----
# townships and villages, ~6,300 divisions), codes below county level numbered in file order.

SEED = Path(__file__).resolve().parents[2] / "data" / "seed"


@pytest.fixture(scope="module")
def national() -> tuple[Gazetteer, dict[tuple[str, str, str], str]]:
    divisions = []
    with open(SEED / "china_divisions_to_county.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            divisions.append(DivisionRecord(row["code"], row["name"], row["short_name"], row["level"],
                                            row["parent_code"] or None))
    towns: dict[tuple[str, str], str] = {}
    villages: dict[tuple[str, str, str], str] = {}
    per_parent: dict[str, int] = {}
    with open(SEED / "towns_villages.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            county, town, village = row["county_code"], row["town_name"], row["village_name"]
            if (county, town) not in towns:
                per_parent[county] = per_parent.get(county, 0) + 1
                towns[(county, town)] = f"{county}{per_parent[county]:03d}"
                divisions.append(DivisionRecord(towns[(county, town)], town, "", "township", county))
            tcode = towns[(county, town)]
            per_parent[tcode] = per_parent.get(tcode, 0) + 1
            villages[(county, town, village)] = f"{tcode}{per_parent[tcode]:03d}"
            divisions.append(DivisionRecord(villages[(county, town, village)], village, "", "village", tcode))
    return Gazetteer(divisions, home_county="330521"), villages


def test_national_gazetteer_size(national) -> None:  # type: ignore[no-untyped-def]
    gaz, _ = national
    assert len(gaz) > 6000


def test_national_standard_and_messy_rural_addresses(national) -> None:  # type: ignore[no-untyped-def]
    gaz, villages = national
    code = villages[("330521", "新市镇", "蔡界村")]
    for text in ("浙江省湖州市德清县新市镇蔡界村3组12号", "德清新市蔡界村委会第三组十二號", "蔡界村3组12号 新市镇 张三 13912345678"):
        p = parse(text, gaz)
        assert (p.village.code, p.group, p.door_number, p.outside_county, p.leftovers) == (code, 3, 12, False, []), text
    p = parse("江苏省南通市启东市汇龙镇人民路8号", gaz)
    assert (p.county.code, p.township.name, p.road.name, p.outside_county) == ("320681", "汇龙镇", "人民路", True)


def test_national_short_names_do_not_swallow_road_names(national) -> None:  # type: ignore[no-untyped-def]
    gaz, _ = national
    p = parse("武康街道春晖路8号", gaz)  # 春晖 is also the short name of 春晖社区
    assert (p.township.name, p.village, p.road.name, p.road.code, p.leftovers) == ("武康街道", None, "春晖路", None, [])


def test_national_ambiguous_county(national) -> None:  # type: ignore[no-untyped-def]
    gaz, _ = national
    assert len(parse("鼓楼区中山路8号", gaz).county.candidates) >= 3
    assert parse("南京市鼓楼区中山路8号", gaz).county.code == "320106"


def test_national_generated_variants(national) -> None:  # type: ignore[no-untyped-def]
    """Real village names in several messy spellings: never a wrong village; unresolved only when
    the seed itself repeats a name."""
    gaz, villages = national
    rng = random.Random(11)
    wrong, unresolved = [], []
    for (county, town, village), code in rng.sample(sorted(villages.items()), 400):
        names = [e.name for e in gaz.chain(code)]
        group, door = rng.randint(1, 15), rng.randint(1, 120)
        text = rng.choice([
            "".join(names) + f"{group}组{door}号",
            "中国 " + " ".join(names[2:]) + f" 第{group}组 {door}号",
            names[3] + names[4].replace("村", "村委会") + f"{group}组{door}号 张三 13912345678",
            names[4] + f"{group}组{door}号，" + names[3] + "，" + names[2],
        ])
        p = parse(text, gaz)
        if p.village is None or p.village.code is None:
            unresolved.append(text)
        elif (p.village.code, p.group, p.door_number, p.outside_county) != (code, group, door, county != "330521"):
            wrong.append(text)
    assert wrong == []
    assert len(unresolved) <= 4, unresolved
