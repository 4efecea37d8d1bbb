"""GB/T 35639 components: validation, code construction and the standard text (pure)."""
from __future__ import annotations

import pytest

from apps.addresses.components import ComponentError, Components, build_code, build_full_text, validate

NAMES = ["浙江省", "湖州市", "德清县", "武康街道"]


def comps(**kw) -> Components:  # type: ignore[no-untyped-def]
    base = dict(division_code="330521001001", part_code="R0012", door_number=8, division_names=NAMES,
                road_name="英溪南路")
    base.update(kw)
    return validate(Components(**base))


def test_door_address_text_and_code() -> None:
    c = comps()
    assert build_full_text(c) == "浙江省湖州市德清县武康街道英溪南路8号"
    assert build_code(c) == "330521001001-R0012-0008"
    assert c.level == "door"


def test_room_address_derives_floor_and_level() -> None:
    c = comps(building="3", unit="2", room="502", area_name="阳光花园")
    assert c.floor == 5 and c.level == "room"
    assert build_full_text(c) == "浙江省湖州市德清县武康街道英溪南路8号阳光花园3幢2单元502室"
    assert build_code(c) == "330521001001-R0012-0008-B03-U2-0502"
    assert comps(building="12", unit="1", room="1201").floor == 12


def test_sub_number_and_building_level() -> None:
    c = comps(door_suffix=1, building="5")
    assert build_full_text(c).endswith("英溪南路8-1号5幢") and build_code(c) == "330521001001-R0012-0008.1-B05"
    assert c.level == "building"


def test_rural_address() -> None:
    c = comps(division_code="330521100201", part_code="A0003", door_number=12, road_name="", area_name="3组",
              division_names=NAMES[:3] + ["新市镇", "蔡界村"])
    assert build_full_text(c) == "浙江省湖州市德清县新市镇蔡界村3组12号"
    assert build_code(c) == "330521100201-A0003-0012"


def test_municipality_name_written_once() -> None:
    c = comps(division_names=["上海市", "上海市", "嘉定区", "新成路街道"], road_name="城中路")
    assert build_full_text(c).startswith("上海市嘉定区新成路街道城中路8号")


@pytest.mark.parametrize("kw,field", [
    ({"division_code": "33052"}, "division_code"), ({"part_code": "X0001"}, "road"), ({"door_number": 0}, "door_number"),
    ({"door_number": 10000}, "door_number"), ({"door_suffix": 100}, "door_suffix"), ({"building": "三"}, "building"),
    ({"building": "1", "unit": "a"}, "unit"), ({"unit": "2"}, "building"), ({"room": "502"}, "building"),
    ({"building": "1", "room": "5/02"}, "room"), ({"building": "1", "floor": 500}, "floor"),
])
def test_invalid_components_name_the_field(kw: dict, field: str) -> None:
    with pytest.raises(ComponentError) as err:
        comps(**kw)
    assert err.value.field == field
