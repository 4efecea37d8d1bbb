"""The parser's answer: recognised components (`Component`) gathered in a `ParsedAddress`, with
spans into the normalised text, corrections and notes. Pure: no Django import."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..components import compose_text
from .gazetteer import LEVELS


@dataclass
class Component:
    """A recognised division, road or area.  `code` is None when the name is not registered or is
    ambiguous (then `candidates` lists the codes); `inferred` components were not in the text but
    follow from a lower level (英溪南路 → 武康街道 → 德清县)."""

    name: str
    code: str | None = None
    text: str = ""
    span: tuple[int, int] | None = None
    inferred: bool = False
    kind: str = ""
    candidates: tuple[str, ...] = ()


@dataclass
class ParsedAddress:
    original: str
    normalized: str
    province: Component | None = None
    prefecture: Component | None = None
    county: Component | None = None
    township: Component | None = None
    village: Component | None = None
    road: Component | None = None
    lane: str = ""  # 12弄: a numbered lane of the road
    area: Component | None = None  # 小区 / 自然村 / 片区, or the villager group "3组" when no other
    group: int | None = None  # 村民小组 number
    door_number: int | None = None
    door_suffix: int = 0
    building: str = ""
    unit: str = ""
    floor: int | None = None
    room: str = ""
    outside_county: bool = False
    leftovers: list[str] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # ambiguities and conflicts, for a clerk
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # door, building, unit, floor, room, group, lane

    def divisions(self) -> list[Component]:
        return [c for c in (self.province, self.prefecture, self.county, self.township, self.village) if c]

    @property
    def division_code(self) -> str | None:
        """Code of the deepest resolved division (recognised or inferred)."""
        return next((c.code for c in reversed(self.divisions()) if c.code), None)

    def standard_text(self) -> str:
        """The GB/T 35639 text of what was recognised (as the register writes it)."""
        names = [c.name for c in (self.province, self.prefecture, self.county, self.township) if c]
        if self.village and not self.road:
            names.append(self.village.name)
        return compose_text(names, road_name=self.road.name if self.road else "", lane=self.lane,
                            door_number=self.door_number, door_suffix=self.door_suffix,
                            area_name=self.area.name if self.area else "", building=self.building, unit=self.unit,
                            room=self.room)

    def as_dict(self) -> dict[str, Any]:
        """The recognised values in short form (names, codes, numbers), for tests and logs."""
        out: dict[str, Any] = {}
        for level in (*LEVELS, "road", "area"):
            c = getattr(self, level)
            if c is not None:
                out[level] = c.name
                out[level + "_code"] = c.code
                if c.inferred:
                    out[level + "_inferred"] = True
        for key in ("lane", "group", "door_number", "door_suffix", "building", "unit", "floor", "room"):
            value = getattr(self, key)
            if value not in ("", None, 0) or (key == "floor" and value == 0):
                out[key] = value
        if self.outside_county:
            out["outside_county"] = True
        return out
