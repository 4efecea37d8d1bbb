"""GB/T 35639 address components: validation, the readable address code and the standard text.
Pure module (no Django import).

Code layout (GB/T 39609 区划式: 区划 + 街巷院落 + 建筑门楼 + 单元户室), readable and sortable:

    330521001001-R0012-0008            英溪南路8号 in its community (door level)
    330521001001-R0012-0008.1          8-1号 (附号)
    330521001001-R0012-0008-B03        …8号3幢 (building level)
    330521001001-R0012-0008-B03-U2-0502  …8号3幢2单元502室 (room level)
    330521100201-A0003-0012            a rural address: 村 + 组 (片区 A0003) + 12号

The 12-digit village code (or the 9-digit township code where no village applies) comes first,
so a code prefix selects a division. The code is fixed when the identity is created and is never
rebuilt on a rename: road and area codes are stable, names are not part of it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_BUILDING = re.compile(r"^[0-9A-Za-z]{1,6}$")
_UNIT = re.compile(r"^[0-9]{1,2}$")
_ROOM = re.compile(r"^[0-9A-Za-z]{1,6}$")
_PART_CODE = re.compile(r"^[RA][0-9]{4}$")
_DIVISION = re.compile(r"^[0-9]{9}([0-9]{3})?$")


class ComponentError(ValueError):
    """A component is missing, malformed or inconsistent; `field` names it for the API."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass
class Components:
    division_code: str  # 12-digit village code, or 9-digit township code
    part_code: str  # road code R#### or area code A####
    door_number: int
    door_suffix: int = 0
    building: str = ""
    unit: str = ""
    room: str = ""
    floor: int | None = None
    # Names for the standard text (not part of the code).
    division_names: list[str] = field(default_factory=list)  # 省, 市, 县, 乡镇[, 村/社区]
    road_name: str = ""
    area_name: str = ""
    area_is_group: bool = False  # 村民小组: "3组" is part of the text after the village

    @property
    def level(self) -> str:
        if self.room:
            return "room"
        if self.building:
            return "building"
        return "door"


def validate(c: Components) -> Components:
    """Check formats and the GB/T 35639 hierarchy (a room needs a building, a unit needs a
    building); derive the floor from the room number when not given (502 → 5, 1201 → 12)."""
    if not _DIVISION.match(c.division_code):
        raise ComponentError("division_code", "所在区划代码应为 9 位乡镇或 12 位村/社区代码")
    if not _PART_CODE.match(c.part_code):
        raise ComponentError("road", "需要街路巷（R####）或片区（A####）")
    if not isinstance(c.door_number, int) or not 1 <= c.door_number <= 9999:
        raise ComponentError("door_number", "门牌号应为 1–9999 的整数")
    if not 0 <= c.door_suffix <= 99:
        raise ComponentError("door_suffix", "附号应为 0–99")
    if c.building and not _BUILDING.match(c.building):
        raise ComponentError("building", "楼栋号应为 1–6 位字母或数字")
    if c.unit and not _UNIT.match(c.unit):
        raise ComponentError("unit", "单元号应为 1–2 位数字")
    if c.room and not _ROOM.match(c.room):
        raise ComponentError("room", "户室号应为 1–6 位字母或数字")
    if (c.unit or c.room) and not c.building:
        raise ComponentError("building", "有单元或户室时必须有楼栋")
    if c.floor is None and c.room.isdigit() and len(c.room) >= 3:
        c.floor = int(c.room[:-2])
    if c.floor is not None and not -5 <= c.floor <= 200:
        raise ComponentError("floor", "楼层超出范围")
    return c


def door_text(number: int, suffix: int = 0) -> str:
    return f"{number}-{suffix}号" if suffix else f"{number}号"


def build_code(c: Components) -> str:
    code = f"{c.division_code}-{c.part_code}-{c.door_number:04d}"
    if c.door_suffix:
        code += f".{c.door_suffix}"
    if c.building:
        code += f"-B{c.building.zfill(2)}"
    if c.unit:
        code += f"-U{c.unit}"
    if c.room:
        code += f"-{c.room.zfill(4)}"
    return code


def compose_text(division_names: list[str], *, road_name: str = "", lane: str = "", door_number: int | None = None,
                 door_suffix: int = 0, area_name: str = "", building: str = "", unit: str = "", room: str = "") -> str:
    """The standard address text from its parts (shared by the register and the parser)."""
    names = [n for n in division_names if n]
    # A municipality repeats its name as province and prefecture: write it once.
    text = "".join(n for i, n in enumerate(names) if i == 0 or n != names[i - 1])
    door = door_text(door_number, door_suffix) if door_number is not None else ""
    text += (road_name + lane + door + area_name) if road_name else (area_name + door)
    if building:
        text += f"{building}幢"
    if unit:
        text += f"{unit}单元"
    if room:
        text += f"{room}室"
    return text


def build_full_text(c: Components) -> str:
    """The standard address text, e.g. 浙江省湖州市德清县武康街道英溪南路8号3幢2单元502室."""
    return compose_text(c.division_names, road_name=c.road_name, door_number=c.door_number,
                        door_suffix=c.door_suffix, area_name=c.area_name, building=c.building, unit=c.unit,
                        room=c.room)
