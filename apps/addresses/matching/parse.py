"""Parse a messy address text into GB/T 35639 components.

    parse(text, gazetteer) -> ParsedAddress
    parse_components_only(text) -> ParsedAddress   # no gazetteer: door/building/unit/floor/room/group

Steps:

1. `normalize` the text (gazetteer names with numerals before a marker, such as 三号路, are
   protected from numeral conversion);
2. `Gazetteer.scan` finds every division, road and area name form in it;
3. choose one consistent interpretation: for every division found, taken as the deepest level
   meant (plus "no division"), keep the hits that lie on its chain — and roads/areas inside it —
   greedily by score (characters × form weight), without overlaps and one per level; the best total
   wins.  So levels must nest (a county inside the recognised prefecture…), a short name (德清)
   loses to a full one overlapping it, a road (武康东路) beats the township short name (武康) it
   contains, and a text's order does not matter (英溪南路8号 武康街道).  A road is also accepted
   in another township of the same county (roads cross township lines) at a small penalty.  A
   short name right before 路/街/花园… is dropped first (春晖路 is not 春晖社区 + 路); a short
   township/village name alone needs support (another name, or a number after it); a name said
   twice is a duplicate; equal names (two 人民路) that the rest cannot tell apart stay unresolved
   with their `candidates`, nearer-home ones win otherwise;
4. read door number (8号, 8-1号), building (3幢), unit, floor, room, group (3组) and lane (12弄)
   from the rest;
5. a leftover piece ending in 路/街/巷… right before a door number is taken as an unregistered road,
   one right before a building (or a door, when there is no road) as an unregistered area (小区,
   自然村) — both without a code;
6. fill the levels above the deepest recognised one from the gazetteer (`inferred=True`), set
   `outside_county` when a recognised level is outside the gazetteer's home county.

Spans index into `ParsedAddress.normalized`.  Pure: no Django import.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .gazetteer import FORM_WEIGHT, LEVELS, RANK, Entry, Gazetteer, Hit
from .normalize import fold, normalize_with_corrections
from .parsed import Component, ParsedAddress

__all__ = ["Component", "ParsedAddress", "parse", "parse_components_only"]

_INVERSION_PENALTY = 0.05  # order only breaks ties: 英溪南路8号武康街道 is still understood
_SOFT_PENALTY = 0.5  # a road outside the township named (but in the same county)


# ---------------------------------------------------------------------------------------------
# Components read by pattern
# ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"(?<![0-9A-Z])(?:"
    r"(?P<door>(?P<dn>\d{1,5})(?:-(?P<ds>\d{1,3}))?号)"
    r"|(?P<building>(?P<b>\d{1,4}[A-Z]?|[A-Z]\d{0,3})幢)"
    r"|(?P<unit>(?P<u>\d{1,2})单元)"
    r"|(?P<floor>(?P<f>-?\d{1,3})层)"
    r"|(?P<room>(?P<r>\d{1,5}[A-Z]?|[A-Z]\d{1,4})室)"
    r"|(?P<group>(?P<g>\d{1,3})组)"
    r"|(?P<lane>(?P<l>\d{1,4})(?:弄|巷)))")
_KINDS = ("door", "building", "unit", "floor", "room", "group", "lane")
_ROAD_SUFFIX = re.compile(r"(?:路|街|大道|巷|弄|道|线|桥)$")
_DIVISION_SUFFIX = re.compile(r"省|自治区|市|州|盟|县|旗|区|镇|乡|街道|村|社区")
_AREA_SUFFIX = re.compile(r"(?:小区|花园|家园|新村|公寓|大厦|广场|中心|苑|园|府|庭|城|湾|庄|居|阁|轩|邸|墅|坊|里|院|期|区)$")
_AREA_TEXT = re.compile(r"^[\u4e00-\u9fff0-9A-Z]{2,16}$")
# A short name followed by one of these is the start of a longer, unregistered name: 春晖路 is not
# 春晖社区 + 路, 五龙花园 is not 五龙社区 + 花园.
_GENERIC_AFTER = re.compile(r"路|街|巷|弄|大道|桥|花园|家园|小区|公寓|新村|广场|大厦|苑|府|庭|湾|园区|公园|中学|小学|医院|市场")


@dataclass
class _Token:
    kind: str
    start: int
    end: int
    match: re.Match[str]


def _tokens(text: str, covered: list[tuple[int, int]]) -> list[_Token]:
    out = []
    for s, e in _free_segments(len(text), covered):
        for m in _TOKEN.finditer(text, s, e):
            kind = next(k for k in _KINDS if m.group(k))
            out.append(_Token(kind, m.start(), m.end(), m))
    return out


def _free_segments(n: int, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out, pos = [], 0
    for s, e in sorted(covered):
        if s > pos:
            out.append((pos, s))
        pos = max(pos, e)
    if pos < n:
        out.append((pos, n))
    return out


# ---------------------------------------------------------------------------------------------
# Choosing an interpretation
# ---------------------------------------------------------------------------------------------

def _anchor(entry: Entry) -> str | None:
    """The division an entry stands for or lies in."""
    return entry.code if entry.kind == "division" else entry.parent


def _relation(gaz: Gazetteer, a: Entry, b: Entry) -> int:
    """2: on one chain; 1: a road/area in another township of the same county; 0: conflict."""
    pa, pb = _anchor(a), _anchor(b)
    if pa is None or pb is None or gaz.related(pa, pb):
        return 2
    if a.kind != "division" or b.kind != "division":
        county = gaz.county_of(pa)
        if county is not None and county == gaz.county_of(pb) and county not in (pa, pb):
            return 1  # both below the same county: a road crossing a township line
    return 0


def _home_bonus(gaz: Gazetteer, entry: Entry) -> float:
    """Tiny preference for names near home when everything else is equal (城关镇, 鼓楼区…)."""
    code = _anchor(entry)
    if not gaz.home_county or not code:
        return 0.0
    if gaz.is_within(code, gaz.home_county):
        return 0.003
    shared = len(gaz.chain_codes(code) & gaz.home_chain_codes)
    return 0.001 * min(shared, 2)


@dataclass
class _Choice:
    score: float = -1.0
    hits: list[Hit] = field(default_factory=list)
    duplicates: list[Hit] = field(default_factory=list)
    soft: list[tuple[Hit, Hit]] = field(default_factory=list)


class _Relations:
    """`_relation` memoised for one parse (the same pairs come up under every anchor)."""

    def __init__(self, gaz: Gazetteer):
        self.gaz = gaz
        self.memo: dict[tuple[int, int], int] = {}

    def __call__(self, a: Entry, b: Entry) -> int:
        key = (id(a), id(b))
        r = self.memo.get(key)
        if r is None:
            r = self.memo[key] = _relation(self.gaz, a, b)
        return r


def _greedy(cands: list[tuple[Hit, float]], rel: _Relations, text: str) -> _Choice:
    """`cands`: (hit, score with home bonus), best first."""
    chosen: list[tuple[Hit, float]] = []
    duplicates: list[Hit] = []
    soft: list[tuple[Hit, Hit]] = []
    score = 0.0
    done: set[int] = set()
    for i, (h, value) in enumerate(cands):
        if i in done:
            continue
        if any(c.start < h.end and h.start < c.end for c, _ in chosen) \
                or any(c.entry.level == h.entry.level for c, _ in chosen):
            continue
        # Equal names at the same place (two 人民路): take the one that fits the rest best.
        twins = [(j, t) for j, (t, v) in enumerate(cands) if j >= i and v == value and t.start == h.start
                 and t.end == h.end and t.entry.level == h.entry.level]
        best_key, relations = None, []
        for j, t in twins:
            done.add(j)
            rels = [(c, rel(t.entry, c.entry)) for c, _ in chosen]
            if any(r == 0 for _, r in rels):
                continue
            key = sum(r for _, r in rels)
            if best_key is None or key > best_key:
                best_key, h, relations = key, t, rels
        if best_key is None:
            continue
        chosen.append((h, value))
        score += value
        for c, r in relations:
            if r == 1:
                soft.append((h, c))
                score -= _SOFT_PENALTY
    # A short township/village name alone (城东, 新安) is too weak: keep it only when another name
    # supports it or a number follows it (蔡界3组).
    if len(chosen) == 1:
        h, value = chosen[0]
        if h.form == "short" and h.entry.level in ("township", "village") and not text[h.end:h.end + 1].isdigit():
            chosen, score = [], 0.0
    hits = [h for h, _ in chosen]
    # Said twice (德清县…德清县): the second mention is a duplicate, not a leftover.
    for h, _ in cands:
        if any(c.entry is h.entry for c in hits) and not any(
                c.start < h.end and h.start < c.end for c in [*hits, *duplicates]):
            duplicates.append(h)
    ordered = sorted((h for h in hits if h.entry.level != "area"), key=lambda h: h.start)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if a.entry.rank > b.entry.rank:
                score -= _INVERSION_PENALTY
    return _Choice(score, hits, duplicates, soft)


def _select(hits: list[Hit], gaz: Gazetteer, text: str) -> _Choice:
    rel = _Relations(gaz)
    ranked = sorted(((h, h.score + _home_bonus(gaz, h.entry)) for h in hits), key=lambda hv: (-hv[1], hv[0].start))
    # Every division found may be the deepest level meant — except one whose every mention lies
    # inside a longer full name (南路 of 南路村 inside 英溪南路, 花园 inside 阳光花园).
    anchors: dict[str, Entry] = {}
    for h in hits:
        if h.entry.kind == "division" and h.entry.code not in anchors and not any(
                o.form == "full" and o.start <= h.start and h.end <= o.end and o.end - o.start > h.end - h.start
                for o in hits):
            anchors[h.entry.code] = h.entry
    best = _Choice()
    for anchor in [None, *anchors.values()]:
        if anchor is None:
            cands = [hv for hv in ranked if hv[0].entry.kind != "division"]
        else:
            codes = gaz.chain_codes(anchor.code)
            cands = [hv for hv in ranked if (hv[0].entry.code in codes if hv[0].entry.kind == "division"
                                             else rel(hv[0].entry, anchor) > 0)]
        choice = _greedy(cands, rel, text)
        if choice.score > best.score + 1e-9:
            best = choice
    return best


# ---------------------------------------------------------------------------------------------
# parse
# ---------------------------------------------------------------------------------------------

def _component(h: Hit, **kw: Any) -> Component:
    return Component(name=h.entry.name, code=h.entry.code, text=h.text, span=(h.start, h.end),
                     kind=h.entry.area_kind, **kw)


def parse(text: str, gaz: Gazetteer) -> ParsedAddress:
    """Recognise the components of `text` against `gaz` (see the module docstring)."""
    pre = fold(text)
    protect = [n for n in gaz.numeral_names if n in pre]
    norm, corrections = normalize_with_corrections(text, protect)
    p = ParsedAddress(original=text, normalized=norm, corrections=list(corrections))

    hits = [h for h in gaz.scan(norm) if h.form != "short" or not _GENERIC_AFTER.match(norm, h.end)]
    choice = _select(hits, gaz, norm)
    _assign_names(p, choice, hits, gaz)

    covered = [(h.start, h.end) for h in choice.hits + choice.duplicates]
    tokens = _tokens(norm, covered)
    used = _assign_tokens(p, tokens)
    covered += [(t.start, t.end) for t in used]
    _unregistered_names(p, norm, covered, tokens)
    _group_area(p, gaz)
    _infer(p, gaz)
    _outside(p, gaz)
    p.leftovers = [norm[s:e] for s, e in _free_segments(len(norm), covered)]
    return p


_EMPTY = Gazetteer()


def parse_components_only(text: str) -> ParsedAddress:
    """Door, building, unit, floor, room, group and lane (plus unregistered road/area names by
    position) without a gazetteer."""
    return parse(text, _EMPTY)


def _assign_names(p: ParsedAddress, choice: _Choice, hits: list[Hit], gaz: Gazetteer) -> None:
    chosen = sorted(choice.hits, key=lambda h: h.start)
    for h in chosen:
        alternatives = [a for a in hits if a.start == h.start and a.end == h.end and a.entry.level == h.entry.level
                        and a.entry.code != h.entry.code and FORM_WEIGHT[a.form] == FORM_WEIGHT[h.form]
                        and all(_relation(gaz, a.entry, c.entry) >= _relation(gaz, h.entry, c.entry)
                                for c in chosen if c is not h)
                        and _home_bonus(gaz, a.entry) >= _home_bonus(gaz, h.entry)]
        comp = _component(h)
        if alternatives:
            comp.code = None
            comp.candidates = tuple(sorted({h.entry.code, *(a.entry.code for a in alternatives)}))
            p.notes.append(f"{h.text}: 同名{len(comp.candidates)}处，无法确定 ({'、'.join(comp.candidates)})")
        setattr(p, h.entry.level, comp)
        if h.form != "full" and h.text != h.entry.name:
            p.corrections.append(f"{h.text}→{h.entry.name}")  # 德清→德清县, 五龙居委会→五龙社区, 武康镇→武康街道
    for d in choice.duplicates:
        p.corrections.append(f"删除 重复的{d.text}")
    ordered = sorted((h for h in chosen if h.entry.level != "area"), key=lambda h: h.start)
    for i, b in enumerate(ordered):
        if any(a.entry.rank > b.entry.rank for a in ordered[:i]):
            p.corrections.append(f"语序调整: {b.text}")
    for h, c in choice.soft:
        road, other = (h, c) if h.entry.kind != "division" else (c, h)
        registered = gaz.division(road.entry.parent)
        p.notes.append(f"{road.text} 登记在 {registered.name if registered else '其他乡镇'}，与 {other.text} 不同")
    taken = [(h.start, h.end) for h in chosen + choice.duplicates]
    for h in hits:
        if h.entry.kind == "division" and h.form == "full" and not any(h.start < e and s < h.end for s, e in taken):
            p.notes.append(f"忽略 {h.text}: 与其他层级不一致")
            taken.append((h.start, h.end))


def _assign_tokens(p: ParsedAddress, tokens: list[_Token]) -> list[_Token]:
    used: list[_Token] = []
    doors = [t for t in tokens if t.kind == "door"]
    if doors:
        after_road = [t for t in doors if p.road and p.road.span and t.start >= p.road.span[1]]
        door = (after_road or doors)[0]
        p.door_number = int(door.match.group("dn"))
        p.door_suffix = int(door.match.group("ds") or 0)
        p.spans["door"] = (door.start, door.end)
        used.append(door)
    for t in tokens:
        if t.kind == "door" or t.kind in p.spans:
            continue
        m = t.match
        if t.kind == "building":
            p.building = m.group("b")
        elif t.kind == "unit":
            p.unit = str(int(m.group("u")))
        elif t.kind == "floor":
            p.floor = int(m.group("f"))
        elif t.kind == "room":
            p.room = m.group("r")
        elif t.kind == "group":
            p.group = int(m.group("g"))
        elif t.kind == "lane":
            if not (p.road and p.road.span and p.road.span[1] == t.start):
                continue  # a lane number belongs right after its road
            p.lane = m.group(0)
        p.spans[t.kind] = (t.start, t.end)
        used.append(t)
    return used


def _unregistered_names(p: ParsedAddress, norm: str, covered: list[tuple[int, int]], tokens: list[_Token]) -> None:
    starts = {t.start: t for t in tokens}
    for s, e in _free_segments(len(norm), covered):
        nxt = starts.get(e)
        piece = norm[s:e]
        if nxt is None or not _AREA_TEXT.match(piece):
            continue
        if p.road is None and nxt.kind in ("door", "lane") and _ROAD_SUFFIX.search(piece) \
                and not piece.endswith("街道"):
            cut = max((m.end() for m in _DIVISION_SUFFIX.finditer(piece) if len(piece) - m.end() >= 2), default=0)
            name = piece[cut:]
            p.road = Component(name=name, text=name, span=(s + cut, e))
            covered.append((s + cut, e))
            if nxt.kind == "lane" and "lane" not in p.spans:
                p.lane = nxt.match.group(0)
                p.spans["lane"] = (nxt.start, nxt.end)
                covered.append((nxt.start, nxt.end))
        elif p.area is None and (nxt.kind in ("building", "unit", "room")
                                 or (nxt.kind == "door" and p.road is None)):
            follows_door = "door" in p.spans and p.spans["door"][1] == s
            if _AREA_SUFFIX.search(piece) or follows_door or nxt.kind == "door":
                cut = max((m.end() for m in _DIVISION_SUFFIX.finditer(piece) if len(piece) - m.end() >= 2
                           and not _AREA_SUFFIX.search(piece[:m.end()])), default=0)
                name = piece[cut:]
                p.area = Component(name=name, text=name, span=(s + cut, e))
                covered.append((s + cut, e))
    # A lane whose road was found only now.
    if p.road and p.road.span and not p.lane:
        t = starts.get(p.road.span[1])
        if t is not None and t.kind == "lane":
            p.lane = t.match.group(0)
            p.spans["lane"] = (t.start, t.end)
            covered.append((t.start, t.end))


def _group_area(p: ParsedAddress, gaz: Gazetteer) -> None:
    if p.group is None:
        return
    village = p.village.code if p.village else None
    entry = gaz.group(village, p.group)
    if p.area is None:
        s, e = p.spans["group"]
        p.area = Component(name=f"{p.group}组", code=entry.code if entry else None, text=p.normalized[s:e],
                           span=(s, e), kind=entry.area_kind if entry else "村民小组")


def _infer(p: ParsedAddress, gaz: Gazetteer) -> None:
    deepest = next((c.code for c in (p.village, p.township, p.county, p.prefecture, p.province)
                    if c and c.code), None)
    for comp, level in ((p.area, "area"), (p.road, "road")):
        if comp is None or not (comp.code or comp.candidates):
            continue
        # An ambiguous road (two 人民路) still tells what its candidates have in common.
        chains = [gaz.chain(e.parent) for code in (comp.code,) if code for e in gaz.entries(code) if e.level == level] \
            or [gaz.chain(e.parent) for code in comp.candidates for e in gaz.entries(code) if e.level == level]
        common = None
        for a in zip(*chains):
            if any(x is not a[0] for x in a):
                break
            common = a[0].code
        if common and (deepest is None or (common != deepest and gaz.is_within(common, deepest))):
            deepest = common
    for e in gaz.chain(deepest):
        current = getattr(p, e.level)
        if current is None:
            setattr(p, e.level, Component(name=e.name, code=e.code, inferred=True))
        elif current.code is None and e.code in current.candidates:
            current.code, current.candidates = e.code, ()


def _outside(p: ParsedAddress, gaz: Gazetteer) -> None:
    home = gaz.home_county
    if not home:
        return

    def outside(code: str, level: str) -> bool:
        if RANK[level] <= RANK["county"]:
            return code not in gaz.home_chain_codes
        return not gaz.is_within(code, home)

    for level in LEVELS:
        c = getattr(p, level)
        if c is None:
            continue
        if c.code and outside(c.code, level):
            p.outside_county = True
        elif not c.code and c.candidates and all(outside(code, level) for code in c.candidates):
            p.outside_county = True
