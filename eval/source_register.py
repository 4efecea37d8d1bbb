"""Reading the register for eval/generate_set.py: the county's current addresses (as `Addr`
sources), roads, 小区, 村民小组, townships, villages and the counties outside, from the dev
database, read once and in code order.
"""
from __future__ import annotations

from collections import defaultdict

from querynoise import Addr

COUNTY_CODE = "330521"


class Register:
    """What the generator needs from the dev database, read once, in code order."""

    def __init__(self) -> None:
        self.addresses: list[Addr] = []
        self.codes: set[str] = set()
        self.road_names: dict[str, str] = {}  # code → name (current)
        self.road_town: dict[str, tuple[str, str]] = {}  # road code → (town code, town name)
        self.area_names: dict[str, str] = {}  # code → name (小区 only)
        self.group_info: dict[str, tuple[str, str, str, str, int]] = {}  # A code → village, town, town code, village code, n
        self.road_doors: dict[str, set[tuple[int, int]]] = defaultdict(set)  # every version, every stage
        self.group_doors: dict[str, set[int]] = defaultdict(set)
        self.towns: list[tuple[str, str]] = []  # (code, name) of the county's townships
        self.villages: list[tuple[str, str, str, str]] = []  # (code, name, kind, town code)
        self.division_codes: set[str] = set()
        self.outside: list[dict] = []  # outside counties with townships and villages
        self.outside_all: dict[str, dict] = {}  # every current county outside, by code
        self.skipped_text = 0

    # names that a typo or an invented name must never produce
    def all_names(self) -> set[str]:
        names = set(self.road_names.values()) | set(self.area_names.values())
        names |= {n for _, n in self.towns} | {v[1] for v in self.villages}
        return names


def read_towns_and_villages(cur, reg: Register, county: str) -> None:  # type: ignore[no-untyped-def]
    """The county's current townships (code, name) and villages (code, name, kind, township code)."""
    cur.execute("SELECT code, name FROM divisions_division WHERE level = 'township' AND valid_to IS NULL "
                "AND code LIKE %s ORDER BY code", [county + "%"])
    reg.towns = list(cur.fetchall())
    cur.execute("SELECT v.code, v.name, v.kind, t.code FROM divisions_division v "
                "JOIN divisions_division t ON t.id = v.parent_id WHERE v.level = 'village' "
                "AND v.valid_to IS NULL AND v.code LIKE %s ORDER BY v.code", [county + "%"])
    reg.villages = list(cur.fetchall())


def read_register() -> Register:
    from django.db import connection

    reg = Register()
    with connection.cursor() as cur:
        read_towns_and_villages(cur, reg, COUNTY_CODE)
        cur.execute("SELECT code FROM divisions_division WHERE code IS NOT NULL AND valid_to IS NULL")
        reg.division_codes = {c for (c,) in cur.fetchall()}
        cur.execute("SELECT r.code, r.name, t.code, t.name FROM addresses_road r "
                    "JOIN divisions_division t ON t.id = r.township_id WHERE r.valid_to IS NULL ORDER BY r.code")
        for code, name, tcode, tname in cur.fetchall():
            reg.road_names[code] = name
            reg.road_town[code] = (tcode, tname)
        cur.execute("SELECT a.code, a.name, a.kind, v.name, v.code, t.name, t.code FROM addresses_area a "
                    "JOIN divisions_division v ON v.id = a.village_id JOIN divisions_division t ON t.id = v.parent_id "
                    "WHERE a.valid_to IS NULL ORDER BY a.code")
        for code, name, kind, vname, vcode, tname, tcode in cur.fetchall():
            if kind == "小区":
                reg.area_names[code] = name
            elif kind == "村民小组" and name.endswith("组") and name[:-1].isdigit():
                reg.group_info[code] = (vname, tname, tcode, vcode, int(name[:-1]))
        cur.execute("SELECT r.code, a.door_number, a.door_suffix FROM addresses_address a "
                    "JOIN addresses_road r ON r.id = a.road_id WHERE a.door_number IS NOT NULL")
        for rcode, n, s in cur.fetchall():
            reg.road_doors[rcode].add((n, s))
        cur.execute("SELECT ar.code, a.door_number FROM addresses_address a JOIN addresses_area ar ON ar.id = a.area_id "
                    "WHERE a.road_id IS NULL AND a.door_number IS NOT NULL")
        for acode, n in cur.fetchall():
            reg.group_doors[acode].add(n)
        cur.execute("""
            SELECT a.code, a.full_text, a.level, a.door_number, a.door_suffix, a.building, a.unit, a.room,
                   t.code, t.name, v.name, v.kind, r.code, r.name, ar.code, ar.name, ar.kind
            FROM addresses_address a
            JOIN divisions_division t ON t.id = a.township_id
            LEFT JOIN divisions_division v ON v.id = a.village_id
            LEFT JOIN addresses_road r ON r.id = a.road_id
            LEFT JOIN addresses_area ar ON ar.id = a.area_id
            WHERE a.valid_to IS NULL AND a.stage = 'current' AND a.code LIKE %s
            ORDER BY a.code""", [COUNTY_CODE + "%"])
        for (code, full, level, door, suffix, building, unit, room, tcode, tname, vname, vkind, rcode, rname,
             acode, aname, akind) in cur.fetchall():
            reg.codes.add(code)
            if vname is None or door is None:
                reg.skipped_text += 1
                continue
            if rcode is None:
                if akind != "村民小组" or acode not in reg.group_info:
                    reg.skipped_text += 1
                    continue
                cls = "rural"
            elif acode is None:
                cls = "door"
            else:
                cls = "room" if level == "room" else "gate"
            a = Addr(code=code, full_text=full, cls=cls, town=tname, town_code=tcode, village=vname,
                     village_kind=vkind or ("社区" if vname.endswith("社区") else "村"),
                     road=rname or "", road_code=rcode or "", compound=aname if akind == "小区" else "",
                     group=reg.group_info[acode][4] if cls == "rural" else None, area_code=acode or "",
                     door=door, suffix=suffix or 0, building=building or "", unit=unit or "", room=room or "",
                     level=level)
            if a.standard() != full:  # a text this generator cannot take apart: never sampled
                reg.skipped_text += 1
                continue
            reg.addresses.append(a)
        # Counties outside: names of the county, its prefecture and province; townships and villages.
        cur.execute("SELECT c.code, c.name, p.name, pp.name FROM divisions_division c "
                    "JOIN divisions_division p ON p.id = c.parent_id LEFT JOIN divisions_division pp ON pp.id = p.parent_id "
                    "WHERE c.level = 'county' AND c.valid_to IS NULL AND c.code IS NOT NULL ORDER BY c.code")
        counties = {}
        for code, name, pref, prov in cur.fetchall():
            counties[code] = {"code": code, "name": name, "pref": pref, "prov": prov or "", "towns": []}
        cur.execute("SELECT t.code, t.name, c.code FROM divisions_division t JOIN divisions_division c ON c.id = t.parent_id "
                    "WHERE t.level = 'township' AND t.valid_to IS NULL AND c.code <> %s ORDER BY t.code", [COUNTY_CODE])
        towns = {}
        for tcode, tname, ccode in cur.fetchall():
            if ccode in counties:
                entry = {"code": tcode, "name": tname, "villages": []}
                counties[ccode]["towns"].append(entry)
                towns[tcode] = entry
        cur.execute("SELECT v.name, t.code FROM divisions_division v JOIN divisions_division t ON t.id = v.parent_id "
                    "WHERE v.level = 'village' AND v.valid_to IS NULL AND t.code NOT LIKE %s ORDER BY v.code",
                    [COUNTY_CODE + "%"])
        for vname, tcode in cur.fetchall():
            if tcode in towns:
                towns[tcode]["villages"].append(vname)
        reg.outside = [c for c in counties.values() if c["towns"]]
        reg.outside_all = counties
    return reg

