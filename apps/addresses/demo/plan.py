"""The plan of one generation run, before anything is written: roads and 片区 to create, the
working state of every township, the address rows column by column and the door plates; and
`Context`, the state the planning steps share (county, count, seed, random generator, plan)."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
from shapely.geometry import LineString, Polygon
from shapely.strtree import STRtree

from apps.divisions.models import Division

from ..components import Components
from ..models import Area, Road
from .constants import DEFAULT_COUNT
from .geometry import Frame
from .names import NameBook


@dataclass
class RoadPlan:
    code: str
    name: str
    kind: str
    township: Division
    line_xy: LineString
    line_ll: LineString
    valid_from: dt.date
    model: Road | None = None  # unsaved stand-in for components_for


@dataclass
class AreaPlan:
    code: str
    name: str
    kind: str
    village: Division
    polygon_ll: Polygon | None
    location_ll: tuple[float, float] | None
    model: Area | None = None


@dataclass
class TownPlan:
    town: Division
    frame: Frame
    poly_xy: object
    inner_xy: object  # polygon shrunk by a safety margin: generated points are strictly inside
    dense: bool
    roads: list[int] = field(default_factory=list)  # indexes into Plan.roads
    road_tree: STRtree | None = None
    villages: list[Division] = field(default_factory=list)
    village_xy: np.ndarray | None = None
    compounds: list[Polygon] = field(default_factory=list)  # xy
    site_index: list[int] = field(default_factory=list)  # road door sites in this township…
    site_tree: STRtree | None = None  # …and their points, for the compound checks

    def nearest_village(self, x: float, y: float) -> Division | None:
        if self.village_xy is None:
            return None
        d = (self.village_xy[:, 0] - x) ** 2 + (self.village_xy[:, 1] - y) ** 2
        return self.villages[int(np.argmin(d))]


class Plan:
    """Column-wise rows ready for COPY; roads/areas referenced by index until ids are reserved."""

    ADDRESS_COLUMNS = ("code", "division_code", "door_number", "door_suffix", "building", "unit", "floor", "room",
                       "level", "full_text", "x", "y", "status", "stage", "valid_from", "valid_to", "households",
                       "residents", "r60", "township_id", "village_id", "area", "road", "uid", "kind")

    def __init__(self) -> None:
        self.roads: list[RoadPlan] = []
        self.areas: list[AreaPlan] = []
        self.addr: dict[str, list] = {c: [] for c in self.ADDRESS_COLUMNS}
        self.plates: list[tuple] = []  # (address index, plate_no, size, state, token, active, made, installed, damaged, retired)

    def __len__(self) -> int:
        return len(self.addr["code"])


class Context:
    """What the planning steps of one run share: the county, count and seed, the names and codes
    still free, the townships, the components templates, the timings, the plan being built and the
    content random generator (door sites, compounds, rural addresses, per-address draws — always
    consumed in that order, so the output depends only on county state, seed and count)."""

    def __init__(self, county: Division, count: int, seed: int, names: NameBook, road_codes: Iterator[str],
                 area_codes: Iterator[str]):
        self.county, self.count, self.seed = county, count, seed
        self.scale = count / DEFAULT_COUNT
        self.plan = Plan()
        self.names = names
        self.road_codes = road_codes
        self.area_codes = area_codes
        self.towns: list[TownPlan] = []
        self.templates: dict[tuple, Components] = {}
        self.timings: dict[str, float] = {}
        self.rng = random.Random(f"geo-mz-demo:{seed}:{count}:content")
