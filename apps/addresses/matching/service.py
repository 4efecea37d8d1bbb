"""The address matcher: free text → ranked standard addresses with score, precision, reasons and
a status. Normalise and parse against the register's gazetteer, join the components exactly in
the in-memory index, fall back to tolerant (character + pinyin) name matching, and call a result
`matched` only when it reaches the precision the query asked for, scores well and is clearly
ahead of the next candidate: a wrong `matched` is worse than `ambiguous`."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings

from .fuzzy import best_matches, similarity
from .index import AddressIndex, IndexedAddress, get_index
from .normalize import normalize
from .parse import ParsedAddress, parse
from .result import AMBIGUOUS, MATCHED, PRECISIONS, UNMATCHED, Candidate, MatchResult

MATCH_SCORE = 0.75  # below this the best candidate is only a suggestion
CLEAR_LEAD = 0.05  # the best must lead the second by this much to be `matched`
FUZZY_CUTOFF = 0.72
PRECISION_RANK = {p: i for i, p in enumerate(PRECISIONS)}
_SECOND_NUMBER = re.compile(r"^([0-9]{1,3})号$")


@dataclass
class _Street:
    """A road or 片区 the query may mean, with how sure we are and why."""

    kind: str  # road | area
    id: int
    score: float
    reasons: list[str] = field(default_factory=list)


def home_county() -> str:
    return getattr(settings, "GEO_MZ_HOME_COUNTY", "330521")


def geocode(q: str, *, limit: int = 5, within: str | None = None, min_score: float = 0.0,
            index: AddressIndex | None = None) -> MatchResult:
    idx = index or get_index(home_county())
    normalized = normalize(q)
    alias = idx.aliases.get(normalized)
    if alias and alias in idx.by_code:
        hit = _address_candidate(idx.by_code[alias], 1.0, ["alias:人工确认的写法"])
        return MatchResult(q, MATCHED, [hit], normalized)
    p = parse(q, idx.gazetteer)
    if p.outside_county or _names_another_county(p, idx):
        return MatchResult(q, UNMATCHED, [], p.normalized, outside_county=True)
    wanted = _requested_precision(p)
    candidates = _candidates(p, idx)
    if within:
        candidates = [c for c in candidates if c.code.startswith(within)]
    candidates = [c for c in candidates if c.score >= min_score]
    candidates.sort(key=lambda c: (-c.score, PRECISION_RANK[c.precision], c.code))
    unique: dict[str, Candidate] = {}
    for c in candidates:
        unique.setdefault(c.code, c)
    ranked = list(unique.values())[:limit]
    return MatchResult(q, _status(ranked, wanted), ranked, p.normalized)


def _names_another_county(p: ParsedAddress, idx: AddressIndex) -> bool:
    """Text the parse set aside that names a county, prefecture or province other than ours
    (南浔善琏镇… , 溆浦沿溪乡…): the address is elsewhere, even if a road of ours has its name."""
    gaz = idx.gazetteer
    home = idx.home_county
    for leftover in p.leftovers:
        for hit in gaz.scan(leftover):
            entry = hit.entry
            if entry.kind == "division" and entry.level in ("province", "prefecture", "county") \
                    and not gaz.is_within(home, entry.code) and len(hit.text) >= 2:
                return True
    return False


def _status(ranked: list[Candidate], wanted: str) -> str:
    if not ranked:
        return UNMATCHED
    best = ranked[0]
    if PRECISION_RANK[best.precision] > PRECISION_RANK[wanted]:
        return UNMATCHED  # only a coarser level exists: the address asked for is not registered
    if best.score < MATCH_SCORE:
        return AMBIGUOUS
    if len(ranked) > 1 and best.score - ranked[1].score < CLEAR_LEAD \
            and PRECISION_RANK[ranked[1].precision] <= PRECISION_RANK[wanted]:
        return AMBIGUOUS
    return MATCHED


def _requested_precision(p: ParsedAddress) -> str:
    if p.room:
        return "户室"
    if p.building:
        return "楼栋"
    if p.door_number is not None:
        return "门牌"
    if p.road is not None:
        return "街路巷"
    if p.area is not None or p.group is not None:
        return "片区"
    if p.village is not None:
        return "村社区"
    if p.township is not None:
        return "乡镇"
    return "区县"


def _penalties(p: ParsedAddress) -> tuple[float, list[str]]:
    """Deductions for what the parse could not place or found inconsistent."""
    reasons = [f"corrected:{c}" for c in p.corrections]
    penalty = min(0.1, 0.03 * len([x for x in p.leftovers if len(x) > 1]))
    if p.leftovers:
        reasons.append("ignored:" + "、".join(p.leftovers))
    penalty += min(0.1, 0.05 * len(p.notes))
    reasons.extend(f"note:{n}" for n in p.notes)
    return penalty, reasons


def _streets(p: ParsedAddress, idx: AddressIndex) -> list[_Street]:
    found: list[_Street] = []
    town = p.township.code if p.township and p.township.code else None
    if p.road is not None:
        ids = [r.id for r in idx.roads.values() if p.road.code and r.code == p.road.code]
        if ids:
            typed = p.road.text or p.road.name
            former = any(typed in idx.roads[i].former_names for i in ids)
            reasons = [f"road:{idx.roads[ids[0]].name}"] + ([f"renamed_from:{typed}"] if former else [])
            found += [_Street("road", i, 1.0, list(reasons)) for i in ids]
        else:
            for name, sim in _fuzzy(idx, "road", p.road.name):
                for rid in idx.road_names[name]:
                    road = idx.roads[rid]
                    reasons = [f"road:{road.name}", f"fuzzy:{p.road.name}→{name}({sim:.2f})"]
                    if name != road.name:
                        reasons.append(f"renamed_from:{name}")
                    found.append(_Street("road", rid, sim, reasons))
    if p.area is not None:
        ids = [a.id for a in idx.areas.values() if p.area.code and a.code == p.area.code]
        if not ids and not p.area.name.endswith("组"):
            ids = [aid for name, _s in _fuzzy(idx, "area", p.area.name) for aid in idx.area_names[name]]
        for aid in ids:
            area = idx.areas[aid]
            sim = 1.0 if area.name == p.area.name else best_matches(p.area.name, [area.name], cutoff=0)[0][1]
            found.append(_Street("area", aid, sim, [f"area:{area.name}"]))
    village_code, village_reasons = _village_for_group(p, idx)
    if p.group is not None and village_code:
        group = idx.gazetteer.group(village_code, p.group)
        if group is not None:
            aid = next((a.id for a in idx.areas.values() if a.code == group.code), None)
            if aid is not None:
                score = 1.0 if not village_reasons else 0.92
                found.append(_Street("area", aid, score, village_reasons or [f"village:{p.village.name}"]
                                     + [f"group:{p.group}组"]))
    for street in found:  # a road outside the township named: possible (roads cross borders), less likely
        if town and street.kind == "road" and idx.roads[street.id].township_code != town:
            street.score -= 0.05
            street.reasons.append("township_differs")
    return found


def _village_for_group(p: ParsedAddress, idx: AddressIndex) -> tuple[str | None, list[str]]:
    """The 村 of a "…村3组12号" address: as parsed, or — when its name was mistyped (冬衡村 for
    东衡村) and so left over — the village of the township (or county) that reads the same."""
    if p.village is not None and p.village.code:
        return p.village.code, []
    if p.group is None:
        return None, []
    town = p.township.code if p.township and p.township.code else idx.home_county
    typed = [x for x in p.leftovers if x.endswith(("村", "社区"))]
    villages = [(code, name) for code, name, level in idx.local_divisions
                if level == "village" and code.startswith(town)]
    for text in typed:
        scored = sorted(((similarity(text, name), code, name) for code, name in villages), reverse=True)
        if scored and scored[0][0] >= 0.9 and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 0.05):
            sim, code, name = scored[0]
            return code, [f"village:{name}", f"fuzzy:{text}→{name}({sim:.2f})"]
    return None, []


def _fuzzy(idx: AddressIndex, kind: str, typed: str) -> list[tuple[str, float]]:
    key = (kind, typed)
    if key not in idx.fuzzy_cache:
        names = idx.road_names if kind == "road" else idx.area_names
        if len(idx.fuzzy_cache) > 50_000:
            idx.fuzzy_cache.clear()
        idx.fuzzy_cache[key] = best_matches(typed, list(names), cutoff=FUZZY_CUTOFF)
    return idx.fuzzy_cache[key]


def _candidates(p: ParsedAddress, idx: AddressIndex) -> list[Candidate]:
    penalty, common = _penalties(p)
    out: list[Candidate] = []
    for street in _streets(p, idx):
        out.extend(_at_street(p, idx, street, penalty, common))
    if not out:
        out.extend(_division_candidates(p, idx, penalty, common))
    return out


def _at_street(p: ParsedAddress, idx: AddressIndex, street: _Street, penalty: float,
               common: list[str]) -> list[Candidate]:
    base = street.score - penalty
    reasons = street.reasons + common
    if street.kind == "area" and p.building and p.door_number is None:
        rooms = idx.by_area_room.get((street.id, p.building, p.unit, p.room), [])
        return [_address_candidate(a, base, reasons + ["room"]) for a in rooms]
    if street.kind == "area" and p.road is None and p.door_number is not None and (p.room or p.unit or p.building):
        # Inside a compound with no road, "6号2单元302" and "6-1-1301" number the building, not a door.
        unit, room = (p.unit or p.building, p.room) if p.room else ("", "")
        rooms = idx.by_area_room.get((street.id, str(p.door_number), unit, room), [])
        if rooms:
            return [_address_candidate(a, base, reasons + ["room", "read:号→幢"]) for a in rooms]
    if p.door_number is not None:
        key = (street.id, p.door_number, p.door_suffix)
        at_door = (idx.by_road_door if street.kind == "road" else idx.by_area_door).get(key, [])
        if at_door:
            return _pick_in_door(p, at_door, base, reasons)
        return [_street_candidate(idx, street, base - 0.1, reasons + [f"door_not_found:{p.door_number}号"])]
    return [_street_candidate(idx, street, base, reasons)]


def _building_of(p: ParsedAddress) -> str:
    """The building number; in "…路8号XX花园6号2单元1101室" the second 号 (set aside by the parse)
    numbers the building: a door cannot be followed by another door before a unit."""
    if p.building or not (p.unit or p.room):
        return p.building
    numbers = [m.group(1) for x in p.leftovers if (m := _SECOND_NUMBER.match(x))]
    return numbers[0] if len(numbers) == 1 else ""


def _pick_in_door(p: ParsedAddress, at_door: list[IndexedAddress], base: float, reasons: list[str]) -> list[Candidate]:
    building = _building_of(p)
    if building != p.building:
        reasons = reasons + ["read:号→幢"]
    if p.room or building:
        exact = [a for a in at_door if a.building == building and a.unit == p.unit and a.room == p.room]
        if exact:
            return [_address_candidate(a, base, reasons + ["room" if p.room else "building"]) for a in exact]
        same_building = [a for a in at_door if a.building == building and a.level == "building"]
        if same_building:
            return [_address_candidate(a, base - 0.05, reasons + ["room_not_found"]) for a in same_building]
        doors = [a for a in at_door if a.level == "door"]
        return [_address_candidate(a, base - 0.1, reasons + ["room_not_found"]) for a in doors[:1]]
    doors = [a for a in at_door if a.level == "door"]
    return [_address_candidate(a, base, reasons + ["door"]) for a in doors]


def _address_candidate(a: IndexedAddress, score: float, reasons: list[str]) -> Candidate:
    precision = {"room": "户室", "building": "楼栋", "door": "门牌"}[a.level]
    return Candidate(a.code, a.full_text, round(max(0.0, min(1.0, score)), 3), precision, a.lon, a.lat, reasons)


def _street_candidate(idx: AddressIndex, street: _Street, score: float, reasons: list[str]) -> Candidate:
    if street.kind == "road":
        road = idx.roads[street.id]
        return Candidate(f"{idx.home_county}-{road.code}", road.name, round(max(0.0, score), 3), "街路巷",
                         reasons=reasons, kind="road")
    area = idx.areas[street.id]
    return Candidate(f"{area.village_code}-{area.code}", area.name, round(max(0.0, score), 3), "片区",
                     reasons=reasons, kind="area")


def _division_candidates(p: ParsedAddress, idx: AddressIndex, penalty: float, common: list[str]) -> list[Candidate]:
    for component, precision in ((p.village, "村社区"), (p.township, "乡镇"), (p.county, "区县")):
        if component is not None and component.code:
            return [Candidate(component.code, component.name, round(max(0.0, 1.0 - penalty), 3), precision,
                              reasons=[f"division:{component.name}"] + common, kind="division")]
    return []
