"""The in-memory address index the matcher searches: every current address of the register,
its roads (current and former names), 片区, divisions and resolved aliases, loaded from PostGIS
in a few queries and kept per process. It is rebuilt when the register changes (PostgreSQL's
row counters for the address tables move), checked at most every few seconds.

Why in memory: a geocode must answer in milliseconds and a batch must do thousands of rows a
second; one SQL round trip per component would cost more than the whole match."""
from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection

from .gazetteer import Gazetteer

CHECK_EVERY_S = 5.0

# (road or area id, door number, door suffix, building, unit, room)
AddressKey = tuple[int, int, int, str, str, str]


@dataclass(frozen=True)
class IndexedAddress:
    id: int
    code: str
    full_text: str
    level: str
    lon: float
    lat: float
    road_id: int | None
    area_id: int | None
    door_number: int | None
    door_suffix: int
    building: str
    unit: str
    room: str
    township_code: str
    village_code: str | None


@dataclass
class IndexedRoad:
    id: int
    code: str
    name: str
    township_code: str
    former_names: list[str] = field(default_factory=list)


@dataclass
class IndexedArea:
    id: int
    code: str
    name: str
    kind: str
    village_code: str


@dataclass
class AddressIndex:
    home_county: str
    gazetteer: Gazetteer
    roads: dict[int, IndexedRoad]
    areas: dict[int, IndexedArea]
    by_road_door: dict[tuple[int, int, int], list[IndexedAddress]]  # (road id, door, suffix)
    by_area_door: dict[tuple[int, int, int], list[IndexedAddress]]  # (area id, door, suffix)
    by_area_room: dict[tuple[int, str, str, str], list[IndexedAddress]]  # (compound id, building, unit, room)
    by_code: dict[str, IndexedAddress]
    road_names: dict[str, list[int]]  # current and former names → road ids
    area_names: dict[str, list[int]]
    aliases: dict[str, str]  # normalised spelling → address code (review resolutions)
    local_divisions: list[tuple[str, str, str]] = field(default_factory=list)  # (code, name, level)
    stamp: tuple = ()
    # Tolerant name lookups repeat (a batch names the same streets again and again): memoised here,
    # so they die with the index when the register changes.
    fuzzy_cache: dict[tuple[str, str], list[tuple[str, float]]] = field(default_factory=dict)

    def doors_on_road(self, road_id: int) -> list[int]:
        return sorted({k[1] for k in self.by_road_door if k[0] == road_id})


def _stamp() -> tuple:
    """Cheap change detector: PostgreSQL's cumulative row counters of the address tables."""
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0), count(*) FROM pg_stat_user_tables "
                    "WHERE relname IN ('addresses_address', 'addresses_road', 'addresses_area', "
                    "'addresses_addressalias', 'divisions_division', 'placenames_placenamealias')")
        return tuple(cur.fetchone())


def build_index(home_county: str) -> AddressIndex:
    from .loading import load_gazetteer_rows

    with connection.cursor() as cur:
        cur.execute("""
            SELECT r.id, r.code, r.name, t.code,
                   (SELECT array_agg(DISTINCT o.name) FROM addresses_road o
                     WHERE o.county_id = r.county_id AND o.code = r.code AND o.valid_to <= CURRENT_DATE AND o.name <> r.name)
            FROM addresses_road r JOIN divisions_division t ON t.id = r.township_id
            WHERE (r.valid_from IS NULL OR r.valid_from <= CURRENT_DATE) AND (r.valid_to IS NULL OR r.valid_to > CURRENT_DATE)
              AND t.code LIKE %s""", [home_county + "%"])
        roads = {rid: IndexedRoad(rid, code, name, town, list(former or [])) for rid, code, name, town, former in cur}
        cur.execute("""
            SELECT a.id, a.code, a.name, a.kind, v.code FROM addresses_area a
            JOIN divisions_division v ON v.id = a.village_id
            WHERE a.valid_to IS NULL AND v.code LIKE %s""", [home_county + "%"])
        areas = {aid: IndexedArea(aid, code, name, kind, village) for aid, code, name, kind, village in cur}
        cur.execute("""
            SELECT a.id, a.code, a.full_text, a.level, ST_X(a.location), ST_Y(a.location), a.road_id, a.area_id,
                   a.door_number, a.door_suffix, a.building, a.unit, a.room, t.code, v.code
            FROM addresses_address a
            JOIN divisions_division t ON t.id = a.township_id
            LEFT JOIN divisions_division v ON v.id = a.village_id
            WHERE (a.valid_from IS NULL OR a.valid_from <= CURRENT_DATE) AND (a.valid_to IS NULL OR a.valid_to > CURRENT_DATE)
              AND a.stage NOT IN ('abandoned', 'rejected') AND a.division_code LIKE %s""",
                    [home_county + "%"])
        rows = [IndexedAddress(*row) for row in cur]
        cur.execute("SELECT code, name, level FROM divisions_division WHERE valid_to IS NULL AND code LIKE %s "
                    "AND level IN ('township', 'village') ORDER BY code", [home_county + "%"])
        local_divisions = [tuple(row) for row in cur]
        aliases: dict[str, str] = {}
        cur.execute("SELECT to_regclass('addresses_addressalias')")
        if cur.fetchone()[0]:
            cur.execute("SELECT al.spelling, i.code FROM addresses_addressalias al "
                        "JOIN addresses_addressidentity i ON i.uid = al.identity_id")
            aliases = dict(cur.fetchall())
    by_road_door: dict = defaultdict(list)
    by_area_door: dict = defaultdict(list)
    by_area_room: dict = defaultdict(list)
    for a in rows:
        if a.door_number is not None:
            if a.road_id is not None:
                by_road_door[(a.road_id, a.door_number, a.door_suffix)].append(a)
            elif a.area_id is not None:
                by_area_door[(a.area_id, a.door_number, a.door_suffix)].append(a)
        if a.area_id is not None and a.building:
            by_area_room[(a.area_id, a.building, a.unit, a.room)].append(a)
    road_names: dict[str, list[int]] = defaultdict(list)
    for road in roads.values():
        for name in [road.name, *road.former_names]:
            road_names[name].append(road.id)
    area_names: dict[str, list[int]] = defaultdict(list)
    for area in areas.values():
        area_names[area.name].append(area.id)
    gazetteer = Gazetteer(**load_gazetteer_rows(home_county, roads, areas), home_county=home_county)
    return AddressIndex(home_county, gazetteer, roads, areas, dict(by_road_door), dict(by_area_door),
                        dict(by_area_room), {a.code: a for a in rows}, dict(road_names), dict(area_names), aliases,
                        local_divisions)


_lock = threading.Lock()
_cache: dict[str, tuple[float, AddressIndex]] = {}


def get_index(home_county: str) -> AddressIndex:
    """The process's index for `home_county`, rebuilt when the register changed."""
    now = time.monotonic()
    with _lock:
        cached = _cache.get(home_county)
        if cached and now - cached[0] < CHECK_EVERY_S:
            return cached[1]
        stamp = _stamp()
        if cached and cached[1].stamp == stamp:
            _cache[home_county] = (now, cached[1])
            return cached[1]
        index = build_index(home_county)
        index.stamp = stamp
        _cache[home_county] = (now, index)
        return index


def forget() -> None:
    """Drop cached indexes (tests call this after changing the register)."""
    with _lock:
        _cache.clear()
