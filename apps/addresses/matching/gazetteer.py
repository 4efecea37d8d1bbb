"""The names the address parser looks for, in one character trie.

Built from plain lists the caller supplies (from the database, a seed file or a test):

* divisions — ``(code, name, short_name, level, parent_code)``; level is province, prefecture
  (``city`` accepted), county, township or village; a missing level or parent is derived from the
  code (GB/T 2260 + the 9/12-digit statistical codes);
* roads — ``(code, name, township_code)``;
* areas — ``(code, name, kind, village_code)``; village_code may be a 9-digit township code.
  Villager groups (kind 村民小组, or names like 3组/第三组) are kept aside, keyed by village and
  number, because every village has a "3组";
* aliases — ``(alias, target_code, renamed_from)``: other and old names of any of the above.

Records may be tuples, dicts or objects with those attributes.

Every name is indexed in its canonical form (see `normalize`) under one or more *forms*:
``full`` (德清县), ``short`` (德清 — from short_name, or derived by stripping 县/市/区/街道/镇/
乡/村/社区…; never shorter than two characters), ``committee`` (五龙居委会 for 五龙社区, 武康办事处
for 武康街道; 村委会 needs none: normalisation turns it into 村), ``alias`` and ``renamed``.

`scan(text)` walks the trie from every position and returns every name found (a few µs per
character): the parser then chooses among overlapping and conflicting hits.  About 6,000
divisions plus 3,000 local names make a trie of some 40,000 nodes.

Pure: no Django import.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from .normalize import fold, has_numeral_before_marker, normalize

__all__ = ["Gazetteer", "Entry", "Hit", "DivisionRecord", "RoadRecord", "AreaRecord", "AliasRecord", "LEVELS",
           "RANK", "FORM_WEIGHT", "KIND_WEIGHT", "derive_short_name"]

LEVELS = ("province", "prefecture", "county", "township", "village")
RANK = {"province": 0, "prefecture": 1, "county": 2, "township": 3, "village": 4, "road": 5, "area": 6}
_LEVEL_NAMES = {"province": "province", "prefecture": "prefecture", "city": "prefecture", "county": "county",
                "district": "county", "township": "township", "town": "township", "street": "township",
                "village": "village", "community": "village"}
# How much a character of each form is worth when the parser scores an interpretation: a full
# name is the strongest evidence, a short name (德清, 武康, 蔡界) is common usage but collides more.
FORM_WEIGHT = {"full": 1.0, "committee": 0.95, "alias": 0.95, "renamed": 0.9, "short": 0.75}
# Road and compound names repeat from county to county (人民路 is everywhere) while the register
# holds only its own: when they conflict, an explicit division name (湖州市南浔区人民路) wins.
KIND_WEIGHT = {"division": 1.0, "road": 0.9, "area": 0.9}

_SUFFIXES = {
    "province": ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"),
    "prefecture": ("自治州", "地区", "盟", "市"),
    "county": ("自治县", "自治旗", "林区", "特区", "新区", "县", "区", "市", "旗"),
    "township": ("街道办事处", "街道", "民族乡", "镇", "乡", "苏木"),
    "village": ("社区居委会", "居委会", "村委会", "社区", "村", "嘎查"),
}
_GROUP_NAME = re.compile(r"^(\d{1,3})组$")
_STRIP = re.compile(r"[\s,，、;；:：.。·()（）\[\]]+")
_END = ""  # trie key of a node's payload (never a character)


class DivisionRecord(NamedTuple):
    code: str
    name: str
    short_name: str = ""
    level: str = ""
    parent_code: str | None = None


class RoadRecord(NamedTuple):
    code: str
    name: str
    township_code: str | None = None


class AreaRecord(NamedTuple):
    code: str
    name: str
    kind: str = ""
    village_code: str | None = None


class AliasRecord(NamedTuple):
    alias: str
    target_code: str
    renamed_from: bool = False


@dataclass(frozen=True, slots=True)
class Entry:
    """One division, road or area.  `parent` is the division it lies in (a road's township, an
    area's village or township)."""

    kind: str  # "division" | "road" | "area"
    code: str
    name: str  # canonical form of the official name
    level: str  # province … village, "road" or "area"
    parent: str | None = None
    area_kind: str = ""

    @property
    def rank(self) -> int:
        return RANK[self.level]


@dataclass(frozen=True, slots=True)
class Hit:
    """A name found in a text: text[start:end] names `entry` in the given form."""

    start: int
    end: int
    text: str
    entry: Entry
    form: str

    @property
    def score(self) -> float:
        return (self.end - self.start) * FORM_WEIGHT[self.form] * KIND_WEIGHT[self.entry.kind]

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


def derive_short_name(name: str, level: str) -> str:
    """德清县 → 德清, 武康街道 → 武康, 蔡界村 → 蔡界, 五龙社区 → 五龙; "" when nothing of at
    least two characters would remain (和县 has no short name)."""
    for suffix in _SUFFIXES.get(level, ()):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[:-len(suffix)]
    return ""


def _key(name: str) -> str:
    return _STRIP.sub("", fold(name or ""))


def _coerce(rec: Any, cls: type) -> Any:
    if isinstance(rec, cls):
        return rec
    if isinstance(rec, Mapping):
        return cls(**{f: rec[f] for f in cls._fields if f in rec})
    if isinstance(rec, (tuple, list)):
        return cls(*rec)
    return cls(**{f: getattr(rec, f) for f in cls._fields if hasattr(rec, f)})


def _level_from_code(code: str) -> str:
    if len(code) == 12:
        return "village"
    if len(code) == 9:
        return "township"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


class Gazetteer:
    """Divisions, roads and areas with a trie of all their name forms.

    `home_county`: the county-level code of the register (e.g. 330521 德清县); the parser flags
    addresses outside it and prefers home interpretations when a name is ambiguous."""

    def __init__(self, divisions: Iterable[Any] = (), roads: Iterable[Any] = (), areas: Iterable[Any] = (),
                 aliases: Iterable[Any] = (), home_county: str | None = None):
        self._trie: dict[str, Any] = {}
        self._divisions: dict[str, Entry] = {}
        self._by_code: dict[str, list[Entry]] = {}
        self._groups: dict[tuple[str, int], Entry] = {}
        self._chains: dict[str, tuple[Entry, ...]] = {}
        self._chain_codes: dict[str, frozenset[str]] = {}
        self._numeral_names: set[str] = set()
        self.home_county = home_county
        pending: list[tuple[DivisionRecord, str]] = []
        for raw in divisions:
            rec = _coerce(raw, DivisionRecord)
            level = _LEVEL_NAMES.get((rec.level or "").strip().lower()) or _level_from_code(str(rec.code))
            if str(rec.code).strip() and _key(rec.name):
                pending.append((rec, level))
        # A repeated code (上海市 as province and as prefecture) is one division at its highest level.
        pending.sort(key=lambda p: RANK[p[1]])
        first: dict[str, tuple[DivisionRecord, str]] = {}
        for rec, level in pending:
            first.setdefault(str(rec.code).strip(), (rec, level))
        for code, (rec, level) in first.items():
            parent = str(rec.parent_code).strip() if rec.parent_code else ""
            if not parent or parent == code or parent not in first:
                parent = self._derive_parent(code, level, first) or ""
            entry = Entry("division", code, _key(rec.name), level, parent or None)
            self._divisions[code] = entry
            self._register(entry)
        for rec, level in pending:
            self._index_division(rec, self._divisions[str(rec.code).strip()])
        for raw in roads:
            self._add_road(_coerce(raw, RoadRecord))
        for raw in areas:
            self._add_area(_coerce(raw, AreaRecord))
        for raw in aliases:
            self._add_alias(_coerce(raw, AliasRecord))
        self.numeral_names: tuple[str, ...] = tuple(sorted(self._numeral_names))
        self.home_chain_codes: frozenset[str] = self.chain_codes(home_county) if home_county else frozenset()

    # -- building ---------------------------------------------------------------------------

    def _index(self, name: str, entry: Entry, form: str) -> None:
        key = _key(name)
        keys = {key}
        if has_numeral_before_marker(key):
            self._numeral_names.add(key)  # the parser keeps its numerals as written
        else:
            keys.add(normalize(key))  # the spelling normalised text will have
        for k in keys:
            if len(k) < 2:
                continue
            node = self._trie
            for ch in k:
                node = node.setdefault(ch, {})
            payload = node.setdefault(_END, [])
            for i, (e, f) in enumerate(payload):
                if e == entry:
                    if FORM_WEIGHT[form] > FORM_WEIGHT[f]:
                        payload[i] = (entry, form)
                    break
            else:
                payload.append((entry, form))

    def _register(self, entry: Entry) -> None:
        self._by_code.setdefault(entry.code, []).append(entry)

    def _index_division(self, rec: DivisionRecord, entry: Entry) -> None:
        name = _key(rec.name)
        self._index(name, entry, "full")
        short = _key(rec.short_name or "") or derive_short_name(name, entry.level)
        if short and short != name and len(short) >= 2:
            self._index(short, entry, "short")
        base = short or name
        if entry.level == "village" and name.endswith("社区"):
            self._index(base + "居委会", entry, "committee")  # 五龙居委会
        if entry.level == "township" and name.endswith("街道"):
            self._index(base + "办事处", entry, "committee")  # 武康办事处

    @staticmethod
    def _derive_parent(code: str, level: str, known: Mapping[str, Any]) -> str | None:
        if level == "village":
            candidates = [code[:9]]
        elif level == "township":
            candidates = [code[:6]]
        elif level == "county":
            candidates = [code[:4] + "00", code[:2] + "0000"]
        elif level == "prefecture":
            candidates = [code[:2] + "0000"]
        else:
            return None
        return next((c for c in candidates if c != code and c in known), None)

    def _add_road(self, rec: RoadRecord) -> None:
        name = _key(rec.name)
        if not rec.code or not name:
            return
        entry = Entry("road", str(rec.code), name, "road", str(rec.township_code) if rec.township_code else None)
        self._register(entry)
        self._index(name, entry, "full")

    def _add_area(self, rec: AreaRecord) -> None:
        name = _key(rec.name)
        if not rec.code or not name:
            return
        parent = str(rec.village_code) if rec.village_code else None
        entry = Entry("area", str(rec.code), name, "area", parent, rec.kind or "")
        self._register(entry)
        group = _GROUP_NAME.match(normalize(name))
        if group and parent:
            # Why aside: every village has a 3组; the parser reads the number and asks here.
            self._groups[(parent, int(group.group(1)))] = entry
            return
        self._index(name, entry, "full")

    def _add_alias(self, rec: AliasRecord) -> None:
        form = "renamed" if rec.renamed_from else "alias"
        for entry in self._by_code.get(str(rec.target_code), ()):
            self._index(rec.alias, entry, form)

    # -- hierarchy --------------------------------------------------------------------------

    def division(self, code: str | None) -> Entry | None:
        return self._divisions.get(code) if code else None

    def entries(self, code: str) -> list[Entry]:
        """Every division, road and area with this code."""
        return list(self._by_code.get(code, ()))

    def chain(self, code: str | None) -> tuple[Entry, ...]:
        """The divisions from the top down to `code` (itself included)."""
        if not code:
            return ()
        cached = self._chains.get(code)
        if cached is not None:
            return cached
        out: list[Entry] = []
        seen: set[str] = set()
        current = self._divisions.get(code)
        while current is not None and current.code not in seen:
            seen.add(current.code)
            out.append(current)
            current = self._divisions.get(current.parent) if current.parent else None
        chain = tuple(reversed(out))
        self._chains[code] = chain
        return chain

    def chain_codes(self, code: str | None) -> frozenset[str]:
        if not code:
            return frozenset()
        cached = self._chain_codes.get(code)
        if cached is None:
            cached = frozenset(e.code for e in self.chain(code))
            self._chain_codes[code] = cached
        return cached

    def is_within(self, code: str | None, ancestor: str | None) -> bool:
        """`code` is `ancestor` or lies inside it."""
        return bool(code and ancestor) and ancestor in self.chain_codes(code)

    def related(self, a: str | None, b: str | None) -> bool:
        """One of the two divisions contains the other (or they are the same)."""
        return self.is_within(a, b) or self.is_within(b, a)

    def county_of(self, code: str | None) -> str | None:
        return next((e.code for e in self.chain(code) if e.level == "county"), None)

    def group(self, village_code: str | None, number: int) -> Entry | None:
        """The 村民小组 area "N组" of a village, if registered."""
        return self._groups.get((village_code, number)) if village_code else None

    # -- lookup -----------------------------------------------------------------------------

    def scan(self, text: str) -> list[Hit]:
        """Every name form occurring anywhere in `text` (which should be normalised)."""
        hits: list[Hit] = []
        root = self._trie
        n = len(text)
        for i in range(n):
            node = root.get(text[i])
            j = i + 1
            while node is not None:
                payload = node.get(_END)
                if payload:
                    t = text[i:j]
                    for entry, form in payload:
                        hits.append(Hit(i, j, t, entry, form))
                if j >= n:
                    break
                node = node.get(text[j])
                j += 1
        return hits

    def longest_prefix(self, text: str, start: int = 0) -> list[Hit]:
        """The hits of the longest name starting at `start`."""
        best: list[Hit] = []
        node = self._trie.get(text[start]) if start < len(text) else None
        j = start + 1
        while node is not None:
            payload = node.get(_END)
            if payload:
                best = [Hit(start, j, text[start:j], e, f) for e, f in payload]
            if j >= len(text):
                break
            node = node.get(text[j])
            j += 1
        return best

    def lookup(self, name: str) -> list[tuple[Entry, str]]:
        """Entries with exactly this name (any form), e.g. lookup("德清") → [(德清县, "short")]."""
        for key in dict.fromkeys((_key(name), normalize(name))):
            node: dict[str, Any] | None = self._trie
            for ch in key:
                node = node.get(ch) if node is not None else None
            if node is not None and node.get(_END):
                return list(node[_END])
        return []

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_code.values())
